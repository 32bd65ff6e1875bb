/** Where a command writes: its result on stdout (a table, or one JSON document with --json), progress on stderr. */
export interface CommandOutput {
  readonly json: boolean;
  /** The command's result: `human` for people, `data` as the JSON document. */
  result(human: string, data: unknown): void;
  /** A progress line for people (stderr, so a script reading stdout sees only the result). */
  progress(line: string): void;
}

export function processOutput(json: boolean): CommandOutput {
  return {
    json,
    result: (human, data) => process.stdout.write(`${json ? JSON.stringify(data, null, 2) : human}\n`),
    progress: (line) => process.stderr.write(`${line}\n`),
  };
}
