import { ValidationError } from '@async2/domain';
import { ingestEvents, ingestLatency } from '../platform/ingest.metrics';
import type { PublishOutcome } from './coalescing-publisher';
import { OverloadedError } from './ingest-errors';
import type { EachOutcome } from './publish.service';

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

/** The counter's outcome of one event answered by publishEach. */
function outcomeOf(answer: EachOutcome): 'accepted' | 'invalid' | 'overloaded' | 'unavailable' {
  if (answer.ok) return 'accepted';
  if (answer.error instanceof ValidationError) return 'invalid';
  return answer.error instanceof OverloadedError ? 'overloaded' : 'unavailable';
}

/**
 * A gathered batch of PublishStream events: each event counted by its own outcome, the batch timed
 * once like one request (its outcome: accepted when every event was, else the first other outcome).
 */
export async function observedEach(edge: 'http' | 'grpc', events: number, publish: () => Promise<EachOutcome[]>): Promise<EachOutcome[]> {
  const stop = ingestLatency.startTimer({ edge });
  try {
    const answers = await publish();
    const counts = new Map<string, number>();
    let batchOutcome = 'accepted';
    for (const answer of answers) {
      const outcome = outcomeOf(answer);
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      if (batchOutcome === 'accepted') batchOutcome = outcome;
    }
    for (const [outcome, count] of counts) ingestEvents.inc({ edge, outcome }, count);
    stop({ outcome: batchOutcome });
    return answers;
  } catch (error) {
    ingestEvents.inc({ edge, outcome: 'error' }, events);
    stop({ outcome: 'error' });
    throw error;
  }
}
