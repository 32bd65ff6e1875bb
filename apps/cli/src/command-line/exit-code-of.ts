import { ConfigError, UnknownTopicError } from '@async2/data-access';
import { FencedDuringRebuildError } from '../rebuild/rebuild-errors';
import { EXIT, type ExitCode, UsageError } from './exit-codes';

/** The exit code for an error a command ended with (the table is in exit-codes.ts). */
export function exitCodeOf(error: unknown): ExitCode {
  // A bad variable or a topic that does not exist is bad input too: nothing was touched.
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof UnknownTopicError) return EXIT.usage;
  if (error instanceof FencedDuringRebuildError) return EXIT.fenced;
  return EXIT.failure;
}
