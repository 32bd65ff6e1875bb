import { errorReason } from './error-reason';

describe('errorReason', () => {
  it('is the message of a plain error', () => {
    expect(errorReason(new Error('connection refused'))).toBe('connection refused');
  });

  it('follows causes and aggregated errors, outermost first, each message once', () => {
    const broker = new Error('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256');
    const sasl = new Error('SASL authentication failed.', { cause: broker });
    const listing = new AggregateError([sasl, new Error('SASL authentication failed.')], 'Listing topics failed.');
    expect(errorReason(listing)).toBe(`Listing topics failed.: SASL authentication failed.: ${broker.message}`);
  });

  it('stops at a cycle and at a handful of reasons', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as Error & { cause?: unknown }).cause = b;
    expect(errorReason(b)).toBe('b: a');
    let deep = new Error('0');
    for (let i = 1; i < 20; i++) deep = new Error(String(i), { cause: deep });
    expect(errorReason(deep).split(': ')).toHaveLength(6);
  });

  it('says what a thrown non-error was', () => {
    expect(errorReason('boom')).toBe('boom');
  });
});
