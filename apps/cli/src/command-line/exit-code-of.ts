import { ConfigError, ParkedIdNotFoundError, UnknownTopicError } from '@async2/data-access';
import { ValidationError } from '@async2/domain';
import { FencedDuringRebuildError } from '../rebuild/rebuild-errors';
import { EXIT, type ExitCode, UsageError } from './exit-codes';

/** The exit code for an error a command ended with (the table is in exit-codes.ts). */
export function exitCodeOf(error: unknown): ExitCode {
  // A bad variable or a topic that does not exist is bad input too: nothing was touched.
  // An unknown or released parked ID, a partition the topic does not have: nothing was sent.
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof UnknownTopicError || error instanceof ParkedIdNotFoundError || error instanceof ValidationError) return EXIT.usage;
  if (error instanceof FencedDuringRebuildError) return EXIT.fenced;
  return EXIT.failure;
}
