import type { ApiScope } from '@async2/data-access';
import { SetMetadata } from '@nestjs/common';

export const REQUIRED_SCOPE = 'async2:required-scope';

/** The API key scope a controller's routes need. Routes without it (health, metrics) stay open. */
export const RequiresScope = (scope: ApiScope) => SetMetadata(REQUIRED_SCOPE, scope);
