import { ValidationError } from '@async2/domain';
import { decodeBadRequestStatus } from '@async2/events-proto';
import { Metadata, type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { EventEmitter } from 'node:events';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { UnauthenticatedError } from '../auth/auth-errors';
import { GrpcErrorFilter } from './grpc-error.filter';

// The arguments Nest's GRPC transport hands a handler (and so its filter): (request, metadata, call)
// for @GrpcMethod, (call) for @GrpcStreamCall.
const unaryHost = () => new ExecutionContextHost([{ id: 'x' }, new Metadata(), Object.assign(new EventEmitter(), { metadata: new Metadata() })]);
const streamCall = () => Object.assign(new EventEmitter(), { metadata: new Metadata(), write: () => true, end: () => undefined });

describe('GrpcErrorFilter', () => {
  const filter = new GrpcErrorFilter();

  it('fails a unary call with INVALID_ARGUMENT, google.rpc.BadRequest details and the error-code / retriable trailers', async () => {
    const error = new ValidationError([{ field: '/data/n', rule: 'type', message: 'must be a number' }]);
    const status = (await firstValueFrom(filter.catch(error, unaryHost())).catch((e: unknown) => e)) as ServiceError;
    expect(status).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: error.message });
    expect(status.metadata.get('error-code')).toEqual(['invalid_event']);
    expect(status.metadata.get('retriable')).toEqual(['false']);
    const [details] = status.metadata.get('grpc-status-details-bin');
    expect(decodeBadRequestStatus(details as Buffer)).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, message: error.message, violations: [{ field: '/data/n', reason: 'type', description: 'must be a number' }] });
  });

  it('ends a stream call by emitting the status on it (Nest has no callback for it), and completes', async () => {
    const call = streamCall();
    const emitted: unknown[] = [];
    call.on('error', (e) => emitted.push(e));
    const result = filter.catch(new UnauthenticatedError('an API key is required'), new ExecutionContextHost([call]));
    await expect(lastValueFrom(result)).resolves.toBeUndefined();
    expect(emitted).toEqual([expect.objectContaining({ code: GrpcStatus.UNAUTHENTICATED, details: 'an API key is required' })]);
  });

  it('answers anything else with INTERNAL and no detail of it, and logs it', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const bug = new TypeError('secret internals');
    const status = await firstValueFrom(filter.catch(bug, unaryHost())).catch((e: unknown) => e);
    expect(status).toMatchObject({ code: GrpcStatus.INTERNAL, details: 'internal error' });
    expect(logged).toHaveBeenCalledWith(bug);
    logged.mockRestore();
  });
});
