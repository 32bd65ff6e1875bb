import { RecordIdentity } from './record-identity';

describe('RecordIdentity', () => {
  it('numbers records 0, 1, 2, ... under one src made of the instance id and an incarnation', () => {
    const identity = new RecordIdentity('producer-0', 'cafe0001');
    expect(identity.src).toBe('producer-0~cafe0001');
    expect([identity.next(), identity.next(), identity.next()]).toEqual([0, 1, 2]);
  });

  it('two processes with the same instance id (a restart, a misconfigured twin) never share a src', () => {
    expect(new RecordIdentity('producer-0').src).not.toBe(new RecordIdentity('producer-0').src);
  });
});
