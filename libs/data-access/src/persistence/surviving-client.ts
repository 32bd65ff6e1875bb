import { Client, type ClientConfig } from 'pg';

/**
 * The pool's pg Client. When its backend goes away between two queries while a query runner holds
 * it (pg_terminate_backend, a failover, idle_in_transaction_session_timeout), pg reports that as an
 * 'error' event, and pg-pool listens for it only while the client is idle in the pool: with no
 * listener the event ended the whole process (found by the database-faults e2e test, consumer on
 * platformatic). Here the event is taken, and the holder's next query on this client fails (the
 * client is no longer queryable), which the flush and the relay already retry; the pool drops the
 * client when it is released.
 */
export class SurvivingClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}
