import { ProduceAnswerMismatchError, recordOffsets, verifiedBaseOffsets, type PartitionAnswer } from './produce-answer';

const ok = (partition: number, baseOffset: string | undefined = '10', topicName = 't'): PartitionAnswer => ({ topicName, partition, errorCode: 0, baseOffset });

function problemsOf(sent: number[], answer: PartitionAnswer[]): string[] {
  try {
    verifiedBaseOffsets('t', sent, answer);
  } catch (error) {
    expect(error).toBeInstanceOf(ProduceAnswerMismatchError);
    expect((error as ProduceAnswerMismatchError).retriable).toBe(true);
    return (error as ProduceAnswerMismatchError).problems;
  }
  throw new Error('expected a ProduceAnswerMismatchError');
}

describe('verifiedBaseOffsets', () => {
  it('returns the base offset of every partition sent when each is answered once', () => {
    expect(verifiedBaseOffsets('t', [0, 1, 0], [ok(1, '5'), ok(0, '0')])).toEqual(new Map([[0, 0], [1, 5]]));
  });

  it('an empty send with an empty answer is fine', () => {
    expect(verifiedBaseOffsets('t', [], [])).toEqual(new Map());
  });

  it.each<[string, number[], PartitionAnswer[], string]>([
    ['one partition of two answered', [0, 1], [ok(0)], 'no answer for partition 1'],
    ['a partition answered twice', [0, 1], [ok(0), ok(1), ok(1, '11')], 'partition 1 answered twice'],
    ['a partition not sent', [0], [ok(0), ok(2)], 'partition 2 was not sent'],
    ['another topic', [0], [ok(0, '1', 'other')], 'partition 0 of another topic (other)'],
    ['an error code', [0], [{ ...ok(0), errorCode: 6 }], 'partition 0 has error code 6'],
    ['no offset', [0], [{ topicName: 't', partition: 0, errorCode: 0 }], 'partition 0 has no usable offset (undefined)'],
    ['an offset past 2^53', [0], [ok(0, '9007199254740993')], 'partition 0 has no usable offset (9007199254740993)'],
    ['nothing at all', [3, 1], [], 'no answer for partitions 1, 3'],
  ])('%s is a failed send', (_case, sent, answer, problem) => {
    expect(problemsOf(sent, answer)).toContain(problem);
  });

  it('a partition answered with an error is not also reported missing', () => {
    expect(problemsOf([0], [{ ...ok(0), errorCode: 6 }])).toEqual(['partition 0 has error code 6']);
  });
});

describe('recordOffsets', () => {
  it("numbers each partition's records from its base offset, in the order sent", () => {
    expect(recordOffsets('t', [2, 0, 2, 2, 0], [ok(0, '7'), ok(2, '40')])).toEqual([40, 7, 41, 42, 8]);
  });

  it('an answer that fails verification fails the whole send', () => {
    expect(() => recordOffsets('t', [0, 1], [ok(0)])).toThrow(ProduceAnswerMismatchError);
  });
});
