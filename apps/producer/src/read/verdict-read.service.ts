import { VerdictsRepository } from '@async2/data-access';
import { type ConditionVerdict, type WritePosition, formatWriteToken } from '@async2/domain';
import { SHARED_SETTINGS } from '@async2/platform';
import type { SharedSettings } from '@async2/data-access';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VerdictNotFoundError } from './read-errors';
import { ReadService } from './read.service';

/** The answer of GET /v1/events/{partition}:{offset} (and gRPC GetVerdict). */
export interface VerdictView {
  partition: number;
  offset: number;
  token: string;
  verdict: ConditionVerdict['outcome'];
  seenVersion: number;
  reason?: ConditionVerdict['reason'];
  duplicate?: true;
  /** A second copy of a record answers with its first copy's verdict: that copy's offset. */
  copyOf?: number;
}

/**
 * The verdict of a conditional event at its write position: waits until the position is applied
 * (the same wait as read-your-writes: the verdict commits with the offset), then reads VERDICTS.
 * None stored there: the event was unconditional, or its verdict is past VERDICT_RETENTION_MS (404).
 */
@Injectable()
export class VerdictReadService {
  private readonly verdicts: VerdictsRepository;

  constructor(
    dataSource: DataSource,
    private readonly reads: ReadService,
    @Inject(SHARED_SETTINGS) private readonly settings: SharedSettings,
  ) {
    this.verdicts = new VerdictsRepository(dataSource);
  }

  async read(position: WritePosition): Promise<VerdictView> {
    await this.reads.awaitApplied(position, 'token');
    const found = await this.verdicts.find({ consumerGroup: this.settings.consumerGroup, topic: this.settings.topics.topic }, position.partition, position.offset);
    if (!found) throw new VerdictNotFoundError(formatWriteToken(position));
    const { outcome, seenVersion, reason, duplicate } = found.verdict;
    const view: VerdictView = { partition: position.partition, offset: position.offset, token: formatWriteToken(position), verdict: outcome, seenVersion };
    if (reason !== undefined) view.reason = reason;
    if (duplicate) view.duplicate = true;
    if (found.copyOf !== undefined) view.copyOf = found.copyOf;
    return view;
  }
}
