import type { ApiScope } from '@async2/data-access';
import { DomainError, ValidationError, parseReadConsistency, parseWriteToken } from '@async2/domain';
import type { EventMessage, GetRequestMessage, PublishBatchRequestMessage, PublishResultMessage } from '@async2/events-proto';
import type { Metadata, ServerDuplexStream, ServerUnaryCall, UntypedServiceImplementation, sendUnaryData } from '@grpc/grpc-js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiKeyChecker } from '../auth/api-key-checker.service';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import type { PublishOutcome } from '../ingest/coalescing-publisher';
import { OverloadedError } from '../ingest/ingest-errors';
import { PartitionMap } from '../ingest/partition-map.service';
import { PublishService } from '../ingest/publish.service';
import { ingestEvents, ingestLatency } from '../platform/ingest.metrics';
import { FreshReadService } from '../read/fresh-read.service';
import { ReadService } from '../read/read.service';
import { batchBody, entityMessage, errorMessage, resultMessage, singleEventBody } from './event-message.mapper';
import { toServiceError } from './grpc-errors';
import { servePublishStream } from './publish-stream.session';

/** events.v1.EventService over the same publish and read services as HTTP. */
@Injectable()
export class EventsGrpcService {
  private readonly logger = new Logger('EventsGrpcService');

  constructor(
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
    private readonly publishService: PublishService,
    private readonly reads: ReadService,
    private readonly fresh: FreshReadService,
    private readonly partitions: PartitionMap,
    private readonly auth: ApiKeyChecker,
  ) {}

  implementation(): UntypedServiceImplementation {
    return {
      Publish: (call: ServerUnaryCall<EventMessage, PublishResultMessage>, callback: sendUnaryData<PublishResultMessage>) =>
        this.unary(call.metadata, 'write', callback, async () => {
          const [outcome] = await observed(() => this.publishService.publishOne(singleEventBody(call.request, this.config.limits.dataMaxDepth)));
          if (!outcome.ok) throw outcome.error;
          return resultMessage(outcome);
        }),
      PublishBatch: (call: ServerUnaryCall<PublishBatchRequestMessage, unknown>, callback: sendUnaryData<unknown>) =>
        this.unary(call.metadata, 'write', callback, async () => {
          const outcomes = await observed(() => this.publishService.publishBatch(batchBody(call.request.events, this.config.limits.dataMaxDepth)));
          const accepted = outcomes.filter((o) => o.ok).length;
          // Like HTTP's 503: when Kafka took none of them, the call failed and may be retried as is.
          const failure = outcomes.find((o) => !o.ok);
          if (accepted === 0 && failure && !failure.ok) throw failure.error;
          return { accepted, rejected: outcomes.length - accepted, results: outcomes.map(resultMessage) };
        }),
      PublishStream: (call: ServerDuplexStream<EventMessage, PublishResultMessage>) => this.stream(call),
      Get: (call: ServerUnaryCall<GetRequestMessage, unknown>, callback: sendUnaryData<unknown>) =>
        this.unary(call.metadata, 'read', callback, async () => {
          const { id, after, consistency, minVersion } = call.request;
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
        }),
    };
  }

  private unary<T>(metadata: Metadata, scope: ApiScope, callback: sendUnaryData<T>, run: () => Promise<T>): void {
    Promise.resolve()
      .then(() => {
        this.auth.check(authorizationOf(metadata), scope);
        return run();
      })
      .then(
        (answer) => callback(null, answer),
        (error: unknown) => {
          if (!(error instanceof DomainError)) this.logger.error(error);
          callback(toServiceError(error));
        },
      );
  }

  private stream(call: ServerDuplexStream<EventMessage, PublishResultMessage>): void {
    try {
      this.auth.check(authorizationOf(call.metadata), 'write');
    } catch (error) {
      call.emit('error', toServiceError(error)); // grpc-js ends the call with this status
      return;
    }
    void servePublishStream<EventMessage, PublishResultMessage>(call, (message) => this.publishStreamed(message), this.config.grpc.streamMaxInFlight);
  }

  /** One event of a stream: never throws; bad input and overload are answers, like Kafka's. */
  private async publishStreamed(message: EventMessage): Promise<PublishResultMessage> {
    try {
      const [outcome] = await observed(() => this.publishService.publishOne(singleEventBody(message, this.config.limits.dataMaxDepth)));
      return resultMessage(outcome);
    } catch (error) {
      if (error instanceof ValidationError) return { status: 'RESULT_STATUS_INVALID', partition: 0, offset: 0, token: '', error: errorMessage(error) };
      if (error instanceof OverloadedError) return { status: 'RESULT_STATUS_OVERLOADED', partition: 0, offset: 0, token: '', error: errorMessage(error) };
      this.logger.error(error);
      return { status: 'RESULT_STATUS_UNAVAILABLE', partition: 0, offset: 0, token: '', error: { code: 'internal', message: 'internal error', retriable: true, violations: [] } };
    }
  }
}

function authorizationOf(metadata: Metadata): string | undefined {
  const [value] = metadata.get('authorization');
  return typeof value === 'string' ? value : undefined;
}

/** Counts every event by outcome and times the call (edge `grpc`). */
async function observed(publish: () => Promise<PublishOutcome[]>): Promise<PublishOutcome[]> {
  const stop = ingestLatency.startTimer({ edge: 'grpc' });
  try {
    const outcomes = await publish();
    const accepted = outcomes.filter((o) => o.ok).length;
    ingestEvents.inc({ edge: 'grpc', outcome: 'accepted' }, accepted);
    if (accepted < outcomes.length) ingestEvents.inc({ edge: 'grpc', outcome: 'unavailable' }, outcomes.length - accepted);
    stop({ outcome: accepted === outcomes.length ? 'accepted' : 'unavailable' });
    return outcomes;
  } catch (error) {
    const outcome = error instanceof ValidationError ? 'invalid' : error instanceof OverloadedError ? 'overloaded' : 'error';
    ingestEvents.inc({ edge: 'grpc', outcome });
    stop({ outcome });
    throw error;
  }
}
