import { hashApiKey } from '@async2/data-access';
import { Metadata } from '@grpc/grpc-js';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { EventEmitter } from 'node:events';
import { loadProducerConfig } from '../config/producer.config';
import { ApiKeyChecker } from './api-key-checker.service';
import { ApiKeyGuard } from './api-key.guard';
import { PermissionDeniedError, UnauthenticatedError } from './auth-errors';
import { RequiresScope } from './requires-scope.decorator';

class Handlers {
  @RequiresScope('write')
  write() {
    return 'written';
  }
  open() {
    return 'health';
  }
}

const guard = new ApiKeyGuard(new Reflector(), new ApiKeyChecker(loadProducerConfig({ API_KEYS: `svc:write:${hashApiKey('k-write').toString('hex')}` })));

/** An ExecutionContext as Nest builds it for a handler of Handlers, over HTTP or gRPC. */
function context(type: 'http' | 'rpc', args: unknown[], handler: keyof Handlers = 'write') {
  const host = new ExecutionContextHost(args, Handlers, Handlers.prototype[handler]);
  host.setType(type);
  return host;
}
const metadata = (authorization?: string) => {
  const m = new Metadata();
  if (authorization) m.set('authorization', authorization);
  return m;
};
const grpcCall = (authorization?: string) => Object.assign(new EventEmitter(), { metadata: metadata(authorization) });

describe('ApiKeyGuard: one check for both edges', () => {
  it('HTTP: the Authorization header', () => {
    expect(guard.canActivate(context('http', [{ headers: { authorization: 'Bearer k-write' } }]))).toBe(true);
    expect(() => guard.canActivate(context('http', [{ headers: {} }]))).toThrow(UnauthenticatedError);
  });

  it('gRPC @GrpcMethod (request, metadata, call): the authorization metadata of the call', () => {
    expect(guard.canActivate(context('rpc', [{}, metadata('Bearer k-write'), grpcCall('Bearer k-write')]))).toBe(true);
    expect(() => guard.canActivate(context('rpc', [{}, metadata(), grpcCall()]))).toThrow(UnauthenticatedError);
    expect(() => guard.canActivate(context('rpc', [{}, metadata('Bearer nope'), grpcCall('Bearer nope')]))).toThrow(UnauthenticatedError);
  });

  it('gRPC @GrpcStreamCall (call): the authorization metadata of the call', () => {
    expect(guard.canActivate(context('rpc', [grpcCall('Bearer k-write')]))).toBe(true);
    expect(() => guard.canActivate(context('rpc', [grpcCall()]))).toThrow(UnauthenticatedError);
  });

  it('a key without the handler scope is denied; a handler without a scope is open', () => {
    const reader = new ApiKeyGuard(new Reflector(), new ApiKeyChecker(loadProducerConfig({ API_KEYS: `dash:read:${hashApiKey('k-read').toString('hex')}` })));
    expect(() => reader.canActivate(context('rpc', [grpcCall('Bearer k-read')]))).toThrow(PermissionDeniedError);
    expect(reader.canActivate(context('rpc', [grpcCall()], 'open'))).toBe(true);
  });
});
