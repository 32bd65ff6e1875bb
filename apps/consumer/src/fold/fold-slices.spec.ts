import { foldSlices } from './fold-slices';

describe('foldSlices', () => {
  it('answers a turn to await once a slice has run its time, looking at the clock every 64 records', async () => {
    let clock = 0;
    let turns = 0;
    const slice = foldSlices(5, () => clock, async () => void turns++);
    const due = (records: number) => {
      const answers = Array.from({ length: records }, () => slice());
      return answers.filter((answer) => answer !== undefined);
    };
    expect(due(200)).toHaveLength(0); // under 5 ms: no turn
    clock = 5;
    expect(due(55)).toHaveLength(0); // the 256th record is the next look at the clock
    const [turn, ...rest] = due(1);
    expect(rest).toHaveLength(0);
    await turn;
    expect(turns).toBe(1);
    // The next slice starts when the turn is over.
    clock = 9;
    expect(due(64)).toHaveLength(0);
    clock = 10;
    expect(due(64)).toHaveLength(1);
  });
});
