import { ValidationError } from '@async2/domain';
import { ingestEvents, ingestLatency } from '../platform/ingest.metrics';
import type { PublishOutcome } from './coalescing-publisher';
import { OverloadedError } from './ingest-errors';

/** Counts every event of one ingest call by outcome and times the call, for either edge. */
export async function observedIngest(edge: 'http' | 'grpc', publish: () => Promise<PublishOutcome[]>): Promise<PublishOutcome[]> {
  const stop = ingestLatency.startTimer({ edge });
  try {
    const outcomes = await publish();
    const accepted = outcomes.filter((o) => o.ok).length;
    ingestEvents.inc({ edge, outcome: 'accepted' }, accepted);
    if (accepted < outcomes.length) ingestEvents.inc({ edge, outcome: 'unavailable' }, outcomes.length - accepted);
    stop({ outcome: accepted === outcomes.length ? 'accepted' : 'unavailable' });
    return outcomes;
  } catch (error) {
    const outcome = error instanceof ValidationError ? 'invalid' : error instanceof OverloadedError ? 'overloaded' : 'error';
    ingestEvents.inc({ edge, outcome });
    stop({ outcome });
    throw error;
  }
}
