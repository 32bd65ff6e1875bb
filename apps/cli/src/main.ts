#!/usr/bin/env node
// `async2`: the operator CLI (docs/operations.md, "The operator CLI"). Reads the apps' variables,
// talks to Kafka and PostgreSQL through the same libraries the apps use, and exits with a code
// from command-line/exit-codes.ts.
import { CliResources, loadCliSettings } from './cli-resources';
import { exitCodeOf } from './command-line/exit-code-of';
import { EXIT, type ExitCode, UsageError } from './command-line/exit-codes';
import { type Invocation, parseCommandLine, usage } from './command-line/parse-command-line';
import { keysNewCommand } from './keys/keys-new.command';
import { processOutput } from './output/command-output';
import { parkedCommand } from './parked/parked.command';
import { rebuildCommand } from './rebuild/rebuild.command';
import { statusCommand } from './status/status.command';

async function run(invocation: Invocation): Promise<ExitCode> {
  if (invocation.command === 'help') {
    process.stdout.write(`${usage(invocation.topic)}\n`);
    return EXIT.ok;
  }
  const out = processOutput(invocation.json);
  if (invocation.command === 'keys new') return keysNewCommand(invocation.name, invocation.scopes, out);
  const resources = new CliResources(loadCliSettings());
  try {
    if (invocation.command === 'status') return await statusCommand(invocation.consumers, resources, out);
    if (invocation.command !== 'rebuild') return await parkedCommand(invocation, resources, out);
    // Ctrl-C during a rebuild stops it cleanly (the shadow is dropped); a second one ends the process.
    const interrupt = new AbortController();
    process.once('SIGINT', () => interrupt.abort());
    return await rebuildCommand(invocation.partition, invocation.fromOffset, resources, out, interrupt.signal);
  } finally {
    await resources.close();
  }
}

async function main(): Promise<void> {
  let code: ExitCode;
  try {
    code = await run(parseCommandLine(process.argv.slice(2)));
  } catch (error) {
    code = exitCodeOf(error);
    process.stderr.write(`async2: ${(error as Error).message}${code === EXIT.usage && error instanceof UsageError ? '\n(async2 help shows the commands and their flags)' : ''}\n`);
  }
  process.exitCode = code;
}

void main();
