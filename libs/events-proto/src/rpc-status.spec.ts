import { decodeBadRequestStatus, encodeBadRequestStatus } from './rpc-status';

describe('google.rpc.Status with BadRequest details', () => {
  it('round-trips field violations', () => {
    const violations = [
      { field: '/data/n', description: 'must be a finite number', reason: 'finite-number' },
      { field: '/events/3/id', description: 'at most 256 bytes', reason: 'max-bytes' },
    ];
    const bytes = encodeBadRequestStatus(3, 'bad event', violations);
    expect(decodeBadRequestStatus(bytes)).toEqual({ code: 3, message: 'bad event', violations });
  });

  it('encodes the wire format googleapis defines (known bytes)', () => {
    // Status{code=3 (field 1 varint), message="m" (field 2), details=[Any{type_url, value=BadRequest{field_violations=[{field="/a", reason="r"}]}}]}
    const bytes = encodeBadRequestStatus(3, 'm', [{ field: '/a', description: '', reason: 'r' }]);
    const typeUrl = Buffer.from('type.googleapis.com/google.rpc.BadRequest');
    const violation = Buffer.from([0x0a, 2, ...Buffer.from('/a'), 0x1a, 1, ...Buffer.from('r')]);
    const badRequest = Buffer.from([0x0a, violation.length, ...violation]);
    const any = Buffer.from([0x0a, typeUrl.length, ...typeUrl, 0x12, badRequest.length, ...badRequest]);
    expect(bytes).toEqual(Buffer.from([0x08, 3, 0x12, 1, ...Buffer.from('m'), 0x1a, any.length, ...any]));
  });
});
