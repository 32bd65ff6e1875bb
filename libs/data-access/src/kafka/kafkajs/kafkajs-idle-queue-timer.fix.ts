interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

let applied = false;

/**
 * The cause of Node's TimeoutNegativeWarning in our apps. kafkajs 2.2.4 (its last release) ends
 * every answer with RequestQueue.scheduleCheckPendingRequests (src/network/requestQueue/index.js),
 * which arms `setTimeout(check, throttledUntil - Date.now())` even when nothing is pending and no
 * throttle is in place: throttledUntil is -1 then, so the delay is minus Date.now(), which Node 24+
 * reports and clamps to 1 ms, after which the check finds nothing to send. This skips arming that
 * timer when it has nothing to do; a pending request or a throttle schedules as before.
 */
export function skipKafkajsIdleQueueTimer(): void {
  if (applied) return;
  applied = true;
  const RequestQueueClass = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueue };
  const schedule = RequestQueueClass.prototype.scheduleCheckPendingRequests;
  RequestQueueClass.prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
}
