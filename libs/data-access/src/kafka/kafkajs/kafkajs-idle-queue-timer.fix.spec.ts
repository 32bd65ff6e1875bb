import { skipKafkajsIdleQueueTimer } from './kafkajs-idle-queue-timer.fix';

// kafkajs's own request queue, as each broker connection makes it (no network is needed to schedule).
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
};

const newQueue = () => new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1000, enforceRequestTimeout: true, clientId: 'test', broker: 'none', logger: null });

describe('skipKafkajsIdleQueueTimer', () => {
  beforeAll(() => skipKafkajsIdleQueueTimer());

  it('arms no timer (and so no negative delay) when nothing is pending and nothing throttles', () => {
    const queue = newQueue();
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('still schedules the check for a pending request or while throttled', () => {
    const pending = newQueue();
    pending.pending.push({});
    pending.scheduleCheckPendingRequests();
    expect(pending.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(pending.throttleCheckTimeoutId ?? undefined);

    const throttled = newQueue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(throttled.throttleCheckTimeoutId ?? undefined);
  });
});
