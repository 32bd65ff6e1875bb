import { EXIT, type ExitCode } from '../command-line/exit-codes';
import type { CommandOutput } from '../output/command-output';
import { newApiKey } from './new-api-key';

/** `async2 keys new <name> <scopes>`: prints the key (for the client) and the entry (for API_KEYS). Touches nothing. */
export function keysNewCommand(name: string, scopes: string, out: CommandOutput): ExitCode {
  const made = newApiKey(name, scopes);
  out.result(
    [`key:   ${made.key}`, `entry: ${made.entry}`, '', 'Give the key to the client (it is stored nowhere else); add the entry to API_KEYS (or API_KEYS_FILE) of the producers.'].join('\n'),
    made,
  );
  return EXIT.ok;
}
