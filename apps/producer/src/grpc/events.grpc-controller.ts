import { ValidationError, parseReadConsistency, parseWriteToken } from '@async2/domain';
import type { EntityMessage, EventMessage, GetRequestMessage, GetVerdictRequestMessage, PublishBatchRequestMessage, PublishBatchResponseMessage, PublishResultMessage, VerdictMessage } from '@async2/events-proto';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { Controller, Inject, Logger, UseFilters, UseGuards } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { RequiresScope } from '../auth/requires-scope.decorator';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { PartitionMap } from '../ingest/partition-map.service';
import { observedEach, observedIngest } from '../ingest/observed-ingest';
import { PublishService } from '../ingest/publish.service';
import { FreshReadService } from '../read/fresh-read.service';
import { ReadService } from '../read/read.service';
import { VerdictReadService } from '../read/verdict-read.service';
import { batchBody, entityMessage, resultMessage, singleEventBody, streamResultMessage, verdictMessage } from './event-message.mapper';
import { GrpcErrorFilter } from './grpc-error.filter';
import { servePublishStream } from './publish-stream.session';

/**
 * events.v1.EventService on Nest's GRPC transport, over the same publish and read services as HTTP.
 * API keys: the HTTP guard, which reads gRPC's `authorization` metadata; every error: GrpcErrorFilter.
 */
@Controller()
@UseGuards(ApiKeyGuard)
@UseFilters(GrpcErrorFilter)
export class EventsGrpcController {
  private readonly logger = new Logger('EventsGrpcController');

  constructor(
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
    private readonly publishService: PublishService,
    private readonly reads: ReadService,
    private readonly fresh: FreshReadService,
    private readonly partitions: PartitionMap,
    private readonly verdicts: VerdictReadService,
  ) {}

  @GrpcMethod('EventService', 'Publish')
  @RequiresScope('write')
  async publish(event: EventMessage): Promise<PublishResultMessage> {
    const [outcome] = await observedIngest('grpc', () => this.publishService.publishOne(singleEventBody(event, this.config.limits.dataMaxDepth)));
    if (!outcome.ok) throw outcome.error;
    return resultMessage(outcome);
  }

  @GrpcMethod('EventService', 'PublishBatch')
  @RequiresScope('write')
  async publishBatch(request: PublishBatchRequestMessage): Promise<PublishBatchResponseMessage> {
    const outcomes = await observedIngest('grpc', () => this.publishService.publishBatch(batchBody(request.events, this.config.limits.dataMaxDepth)));
    const accepted = outcomes.filter((o) => o.ok).length;
    // Like HTTP's 503: when Kafka took none of them, the call failed and may be retried as is.
    const failure = outcomes.find((o) => !o.ok);
    if (accepted === 0 && failure && !failure.ok) throw failure.error;
    return { accepted, rejected: outcomes.length - accepted, results: outcomes.map(resultMessage) };
  }

  /** The raw duplex call (not Nest's Observable mapping), for the session's pause/resume flow control. */
  @GrpcStreamCall('EventService', 'PublishStream')
  @RequiresScope('write')
  publishStream(call: ServerDuplexStream<EventMessage, PublishResultMessage>): Promise<void> {
    return servePublishStream<EventMessage, PublishResultMessage>(call, (messages) => this.publishStreamed(messages), this.config.grpc.streamMaxInFlight);
  }

  @GrpcMethod('EventService', 'Get')
  @RequiresScope('read')
  async get(request: GetRequestMessage): Promise<EntityMessage> {
    const { id, after, consistency, minVersion } = request;
    const position = after === '' ? undefined : parseWriteToken(after, this.partitions.partitionCount);
    const level = parseReadConsistency(consistency);
    if (!Number.isSafeInteger(minVersion) || minVersion < 0) {
      throw new ValidationError([{ field: 'min_version', rule: 'format', message: 'must be a non-negative integer: the highest version of this id already read' }]);
    }
    const floor = minVersion === 0 ? undefined : minVersion;
    if (level === 'fresh') {
      const { view, fallback } = await this.fresh.read(id, position, floor);
      return entityMessage(view, fallback);
    }
    if (floor === undefined) return entityMessage(await this.reads.read(id, position));
    return entityMessage(await this.fresh.fromDatabase(id, position, floor, 'consistency=eventual reads only the database'));
  }

  @GrpcMethod('EventService', 'GetVerdict')
  @RequiresScope('read')
  async getVerdict(request: GetVerdictRequestMessage): Promise<VerdictMessage> {
    return verdictMessage(await this.verdicts.read(parseWriteToken(request.token, this.partitions.partitionCount, 'token')));
  }

  /** Events of a stream, gathered: never throws; bad input and overload are answers, per event, like Kafka's. */
  private async publishStreamed(messages: EventMessage[]): Promise<PublishResultMessage[]> {
    const { dataMaxDepth } = this.config.limits;
    try {
      const answers = await observedEach('grpc', messages.length, () => this.publishService.publishEach(messages, (message) => singleEventBody(message, dataMaxDepth)));
      return answers.map(streamResultMessage);
    } catch (error) {
      this.logger.error(error);
      const internal: PublishResultMessage = { status: 'RESULT_STATUS_UNAVAILABLE', partition: 0, offset: 0, token: '', error: { code: 'internal', message: 'internal error', retriable: true, violations: [] } };
      return messages.map(() => internal);
    }
  }
}
