import { partitionForKey } from './partition-for-key';
import { misplacedRecord } from './partition-placement';

describe('misplacedRecord', () => {
  // partitionForKey agrees with Java's default partitioner (its own known-answer vectors).
  const id = 'user-1';
  const home = partitionForKey(id, 6);

  it('accepts a record on the partition its id hashes to', () => {
    expect(misplacedRecord(id, home, 6)).toBeUndefined();
  });

  it('names the partition it came from and the one its id belongs to', () => {
    const elsewhere = (home + 1) % 6;
    expect(misplacedRecord(id, elsewhere, 6)).toBe(`record for id "user-1" was read from partition ${elsewhere}, but murmur2 puts that id on partition ${home} of 6`);
  });

  it('judges by the partition count the consumer claimed with (a record sent under an older count is misplaced)', () => {
    const under4 = partitionForKey(id, 4);
    const under6 = partitionForKey(id, 6);
    expect(under4).not.toBe(under6); // true for this id: the test would be empty otherwise
    expect(misplacedRecord(id, under4, 6)).toMatch(/murmur2 puts that id on partition/);
  });

  it('judges a record by its key bytes the same as by its id', () => {
    const key = new TextEncoder().encode(id);
    expect(misplacedRecord(id, home, 6, key)).toBeUndefined();
    expect(misplacedRecord(id, (home + 1) % 6, 6, key)).toBe(misplacedRecord(id, (home + 1) % 6, 6));
  });

  it('with one partition nothing is misplaced', () => {
    expect(misplacedRecord('anything', 0, 1)).toBeUndefined();
  });
});
