import { UsageError } from '../command-line/exit-codes';
import { checkRebuildRange } from './rebuild-range';

const facts = { topic: 'events', partition: 1, partitionCount: 4, fromOffset: 0, logStart: 0, endOffset: 500 };

describe('checkRebuildRange', () => {
  it('accepts an offset from the log start up to the end', () => {
    expect(checkRebuildRange(facts)).toEqual({ fromOffset: 0, endOffset: 500 });
    expect(checkRebuildRange({ ...facts, fromOffset: 120, logStart: 120 })).toEqual({ fromOffset: 120, endOffset: 500 });
    expect(checkRebuildRange({ ...facts, fromOffset: 500 })).toEqual({ fromOffset: 500, endOffset: 500 });
  });

  it('refuses an offset below the log start, naming the first offset the topic has', () => {
    const refuse = () => checkRebuildRange({ ...facts, fromOffset: 0, logStart: 120 });
    expect(refuse).toThrow(UsageError);
    expect(refuse).toThrow('--from-offset 0: events-1 no longer holds that offset: its first offset is 120');
    expect(refuse).toThrow('pass --from-offset 120');
  });

  it('refuses a partition the topic does not have, and an offset beyond the end', () => {
    expect(() => checkRebuildRange({ ...facts, partition: 4 })).toThrow('--partition 4: topic events has no partition 4: it has 4 (0-3)');
    expect(() => checkRebuildRange({ ...facts, fromOffset: 501 })).toThrow('--from-offset 501: beyond the end of events-1 (end offset 500)');
  });
});
