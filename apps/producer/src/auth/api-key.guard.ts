import type { ApiScope } from '@async2/data-access';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiKeyChecker } from './api-key-checker.service';
import { REQUIRED_SCOPE } from './requires-scope.decorator';

/** HTTP adapter of the API key check: `Authorization: Bearer <key>` against the route's scope. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly checker: ApiKeyChecker) {}

  canActivate(context: ExecutionContext): boolean {
    const scope = this.reflector.getAllAndOverride<ApiScope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (scope === undefined || !this.checker.enabled) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    this.checker.check(request.headers.authorization, scope); // throws 401/403, mapped by HttpErrorFilter
    return true;
  }
}
