import { UsageError } from './exit-codes';

/** One parsed invocation of `async2`: which command, with its checked arguments. */
export type Invocation =
  | { command: 'help'; topic?: string }
  | { command: 'status'; json: boolean; consumers: URL[] }
  | { command: 'keys new'; json: boolean; name: string; scopes: string }
  | { command: 'rebuild'; json: boolean; partition: number; fromOffset: number }
  | { command: 'parked list'; json: boolean; partition?: number }
  | { command: 'parked show'; json: boolean; id: string }
  | { command: 'parked replay'; json: boolean; id: string; skipRefused: boolean }
  | { command: 'parked discard'; json: boolean; id: string };

type FlagKind = 'boolean' | 'offset' | 'url';

interface FlagSpec {
  kind: FlagKind;
  /** May be given more than once (the values are collected in order). */
  repeatable?: boolean;
  help: string;
}

interface CommandSpec {
  /** The command's words, e.g. `keys new`. */
  words: string;
  positionals: Array<{ name: string; help: string }>;
  flags: Record<string, FlagSpec>;
  summary: string;
}

const JSON_FLAG: FlagSpec = { kind: 'boolean', help: 'print one JSON document instead of a table (for scripts)' };

/** Every command: the usage text and the parser both read this table (one home for the grammar). */
export const COMMANDS: readonly CommandSpec[] = [
  {
    words: 'status',
    positionals: [],
    flags: { json: JSON_FLAG, consumer: { kind: 'url', repeatable: true, help: "a consumer's base URL (http://host:port): its /metrics adds fenced, stopped and paused lanes" } },
    summary: 'per partition: owner, epoch, committed offset, end offset, lag, and what the consumers say',
  },
  {
    words: 'keys new',
    positionals: [
      { name: 'name', help: 'the key\'s name: 1-64 of A-Z a-z 0-9 . _ -' },
      { name: 'scopes', help: 'scopes joined by +, e.g. write, read, read+write' },
    ],
    flags: { json: JSON_FLAG },
    summary: 'make a new API key and the API_KEYS entry that admits it',
  },
  {
    words: 'rebuild',
    positionals: [],
    flags: {
      json: JSON_FLAG,
      partition: { kind: 'offset', help: 'the partition to rebuild (required)' },
      'from-offset': { kind: 'offset', help: 'the first offset to fold (default 0); must still be in Kafka; parked IDs refused below it keep their kept events below it' },
    },
    summary: "rebuild a partition's EVENTS rows and parked IDs from Kafka with the consumer's fold, under the epoch fence",
  },
  {
    words: 'parked list',
    positionals: [],
    flags: { json: JSON_FLAG, partition: { kind: 'offset', help: 'only this partition\'s parked IDs' } },
    summary: 'the parked IDs (an event the fold refused and every later one wait): why, since when, how many events',
  },
  {
    words: 'parked show',
    positionals: [{ name: 'id', help: 'a parked ID' }],
    flags: { json: JSON_FLAG },
    summary: "one parked ID's kept events, in Kafka order (the refused one first)",
  },
  {
    words: 'parked replay',
    positionals: [{ name: 'id', help: 'a parked ID' }],
    flags: { json: JSON_FLAG, 'skip-refused': { kind: 'boolean', help: 'discard the refused event, replay the rest' } },
    summary: "replay a parked ID's events in order (through its partition's owner, under the fence) and show the outcome",
  },
  {
    words: 'parked discard',
    positionals: [{ name: 'id', help: 'a parked ID' }],
    flags: { json: JSON_FLAG },
    summary: "discard every kept event of a parked ID; its later events apply again",
  },
];

/** Parses `argv` (without node and the script); throws UsageError naming the problem. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') return { command: 'help', topic: argv[1] };
  const spec = [...COMMANDS].sort((a, b) => b.words.length - a.words.length).find((c) => startsWith(argv, c.words.split(' ')));
  if (!spec) throw new UsageError(`unknown command ${JSON.stringify(argv.join(' '))}: the commands are ${COMMANDS.map((c) => c.words).join(', ')} (async2 help)`, 'command');
  const rest = argv.slice(spec.words.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) return { command: 'help', topic: spec.words };
  const { flags, positionals } = splitArguments(spec, rest);
  if (positionals.length !== spec.positionals.length) {
    const expected = spec.positionals.map((p) => `<${p.name}>`).join(' ') || 'no arguments';
    throw new UsageError(`async2 ${spec.words} takes ${expected}, got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}`, 'arguments');
  }
  const json = flags.get('json')?.[0] === true;
  switch (spec.words) {
    case 'status':
      return { command: 'status', json, consumers: (flags.get('consumer') ?? []) as URL[] };
    case 'keys new':
      return { command: 'keys new', json, name: positionals[0], scopes: positionals[1] };
    case 'parked list': {
      const partition = flags.get('partition')?.[0] as number | undefined;
      return partition === undefined ? { command: 'parked list', json } : { command: 'parked list', json, partition };
    }
    case 'parked show':
    case 'parked discard':
      return { command: spec.words, json, id: positionals[0] };
    case 'parked replay':
      return { command: 'parked replay', json, id: positionals[0], skipRefused: flags.get('skip-refused')?.[0] === true };
    default: {
      const partition = flags.get('partition')?.[0];
      if (partition === undefined) throw new UsageError('async2 rebuild needs --partition <p>', 'partition');
      return { command: 'rebuild', json, partition: partition as number, fromOffset: (flags.get('from-offset')?.[0] as number | undefined) ?? 0 };
    }
  }
}

function startsWith(argv: readonly string[], words: string[]): boolean {
  return words.every((word, i) => argv[i] === word);
}

type FlagValue = boolean | number | URL;

function splitArguments(spec: CommandSpec, rest: readonly string[]): { flags: Map<string, FlagValue[]>; positionals: string[] } {
  const flags = new Map<string, FlagValue[]>();
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = splitOnce(arg.slice(2), '=');
    const flag = spec.flags[name];
    if (!flag) throw new UsageError(`unknown flag --${name} for async2 ${spec.words}: its flags are ${Object.keys(spec.flags).map((f) => `--${f}`).join(', ')}`, name);
    if (flags.has(name) && !flag.repeatable) throw new UsageError(`--${name} is given twice`, name);
    let value: FlagValue;
    if (flag.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`, name);
      value = true;
    } else {
      const raw = inline ?? rest[++i];
      if (raw === undefined) throw new UsageError(`--${name} needs a value`, name);
      value = flag.kind === 'offset' ? nonNegativeInteger(name, raw) : httpUrl(name, raw);
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positionals };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function nonNegativeInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value)) throw new UsageError(`--${name}=${JSON.stringify(raw)}: must be a whole number, 0 or more`, name);
  return value;
}

function httpUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${name}=${JSON.stringify(raw)}: must be a URL such as http://127.0.0.1:3001`, name);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--${name}=${JSON.stringify(raw)}: must be an http:// or https:// URL`, name);
  return url;
}

/** The usage text: every command, or one command's arguments and flags. */
export function usage(topic?: string): string {
  const one = COMMANDS.find((c) => c.words === topic);
  if (one) {
    const lines = [`usage: async2 ${one.words}${one.positionals.map((p) => ` <${p.name}>`).join('')}${Object.keys(one.flags).length > 0 ? ' [flags]' : ''}`, '', one.summary, ''];
    for (const p of one.positionals) lines.push(`  <${p.name}>`.padEnd(26) + p.help);
    for (const [name, flag] of Object.entries(one.flags)) lines.push(`  --${name}${flag.kind === 'boolean' ? '' : ' <value>'}`.padEnd(26) + flag.help + (flag.repeatable ? ' (repeatable)' : ''));
    return lines.join('\n');
  }
  return [
    'usage: async2 <command> [arguments] [flags]',
    '',
    ...COMMANDS.map((c) => `  ${c.words.padEnd(15)}${c.summary}`),
    '',
    'async2 <command> --help shows its flags. Configuration comes from the same variables as the apps',
    '(KAFKA_BROKERS, KAFKA_TOPIC, DATABASE_URL, CONSUMER_GROUP, ...). Exit codes: 0 ok, 1 failure,',
    '2 bad input (nothing changed), 3 fenced by another instance (nothing changed).',
  ].join('\n');
}
