import { ApiKeyRing, type ApiScope } from '@async2/data-access';
import { Inject, Injectable } from '@nestjs/common';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { PermissionDeniedError, UnauthenticatedError } from './auth-errors';

/** The one check both edges run: HTTP's `Authorization` header, gRPC's `authorization` metadata. */
@Injectable()
export class ApiKeyChecker {
  private readonly ring: ApiKeyRing;

  constructor(@Inject(PRODUCER_CONFIG) config: ProducerConfig) {
    this.ring = new ApiKeyRing(config.apiKeys);
  }

  get enabled(): boolean {
    return this.ring.enabled;
  }

  /** Throws UnauthenticatedError or PermissionDeniedError; does nothing when no keys are configured. */
  check(authorization: string | undefined, scope: ApiScope): void {
    if (!this.ring.enabled) return;
    const decision = this.ring.authorize(authorization, scope);
    if (decision.ok) return;
    if (decision.reason === 'scope') throw new PermissionDeniedError(decision.message);
    throw new UnauthenticatedError(decision.message);
  }
}
