import type { ApiScope } from '@async2/data-access';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { grpcCallOf } from '../grpc/grpc-call';
import { ApiKeyChecker } from './api-key-checker.service';
import { REQUIRED_SCOPE } from './requires-scope.decorator';

/**
 * The API key check on both edges, against the handler's scope: HTTP's `Authorization: Bearer
 * <key>` header, gRPC's `authorization` metadata. Global for HTTP (APP_GUARD), on the gRPC
 * controller by @UseGuards; handlers without a scope (health, metrics) stay open.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly checker: ApiKeyChecker) {}

  canActivate(context: ExecutionContext): boolean {
    const scope = this.reflector.getAllAndOverride<ApiScope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (scope === undefined || !this.checker.enabled) return true;
    this.checker.check(authorizationOf(context), scope); // throws 401/403, mapped by HttpErrorFilter or GrpcErrorFilter
    return true;
  }
}

function authorizationOf(context: ExecutionContext): string | undefined {
  if (context.getType() === 'rpc') {
    const [value] = grpcCallOf(context).metadata.get('authorization');
    return typeof value === 'string' ? value : undefined;
  }
  return context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
}
