import { ownedPartitions } from './owned-partitions';

describe('ownedPartitions', () => {
  it.each([
    [1, [0]],
    [4, [0, 1, 2, 3]],
  ])('"all" on a topic of %i partitions owns every partition', (count, expected) => {
    expect(ownedPartitions({ kind: 'all' }, count)).toEqual(expected);
  });

  it.each([
    [[0], 4],
    [[1, 3], 4],
    [[3], 4],
  ])('a listed selection %j inside a topic of %i partitions is owned as listed', (partitions, count) => {
    expect(ownedPartitions({ kind: 'list', partitions }, count)).toEqual(partitions);
  });

  it.each([
    [[4], 4, /PARTITIONS names 4\b.*only 4 partitions \(0\.\.3\)/],
    [[0, 5, 9], 4, /PARTITIONS names 5, 9\b/],
    [[2], 1, /PARTITIONS names 2\b.*only 1 partitions \(0\.\.0\)/],
  ])('a listed partition beyond the topic (%j of %i) is refused, naming it', (partitions, count, message) => {
    expect(() => ownedPartitions({ kind: 'list', partitions }, count)).toThrow(message);
  });
});
