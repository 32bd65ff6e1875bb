import { UsageError } from './exit-codes';
import { parseCommandLine, usage } from './parse-command-line';

function refusal(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseCommandLine', () => {
  it('reads status with its flags, in either --flag value or --flag=value form', () => {
    expect(parseCommandLine(['status'])).toEqual({ command: 'status', json: false, consumers: [] });
    const parsed = parseCommandLine(['status', '--json', '--consumer', 'http://127.0.0.1:3001', '--consumer=http://c-1:3001/']);
    expect(parsed).toMatchObject({ command: 'status', json: true });
    expect(parsed.command === 'status' && parsed.consumers.map(String)).toEqual(['http://127.0.0.1:3001/', 'http://c-1:3001/']);
  });

  it('reads keys new with its two arguments', () => {
    expect(parseCommandLine(['keys', 'new', 'ingest-svc', 'write', '--json'])).toEqual({ command: 'keys new', json: true, name: 'ingest-svc', scopes: 'write' });
  });

  it('reads rebuild: --from-offset defaults to 0, the log start', () => {
    expect(parseCommandLine(['rebuild', '--partition', '3'])).toEqual({ command: 'rebuild', json: false, partition: 3, fromOffset: 0 });
    expect(parseCommandLine(['rebuild', '--partition=0', '--from-offset=120', '--json'])).toEqual({ command: 'rebuild', json: true, partition: 0, fromOffset: 120 });
  });

  it('reads parked list|show|replay|discard', () => {
    expect(parseCommandLine(['parked', 'list'])).toEqual({ command: 'parked list', json: false });
    expect(parseCommandLine(['parked', 'list', '--partition', '2', '--json'])).toEqual({ command: 'parked list', json: true, partition: 2 });
    expect(parseCommandLine(['parked', 'show', 'user-7'])).toEqual({ command: 'parked show', json: false, id: 'user-7' });
    expect(parseCommandLine(['parked', 'replay', 'user-7'])).toEqual({ command: 'parked replay', json: false, id: 'user-7', skipRefused: false });
    expect(parseCommandLine(['parked', 'replay', 'user-7', '--skip-refused'])).toEqual({ command: 'parked replay', json: false, id: 'user-7', skipRefused: true });
    expect(parseCommandLine(['parked', 'discard', 'user-7', '--json'])).toEqual({ command: 'parked discard', json: true, id: 'user-7' });
  });

  it('answers help for no arguments, help, --help, and a command\'s --help', () => {
    expect(parseCommandLine([])).toEqual({ command: 'help', topic: undefined });
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help', topic: undefined });
    expect(parseCommandLine(['help', 'rebuild'])).toEqual({ command: 'help', topic: 'rebuild' });
    expect(parseCommandLine(['rebuild', '--help'])).toEqual({ command: 'help', topic: 'rebuild' });
  });

  it.each([
    [['stats'], 'command', /unknown command "stats": the commands are status, keys new, rebuild, parked list, parked show, parked replay, parked discard/],
    [['parked'], 'command', /unknown command "parked"/],
    [['parked', 'replay'], 'arguments', /async2 parked replay takes <id>, got none/],
    [['parked', 'replay', 'a', '--skip'], 'skip', /unknown flag --skip for async2 parked replay: its flags are --json, --skip-refused/],
    [['parked', 'list', '--partition', 'x'], 'partition', /must be a whole number/],
    [['keys'], 'command', /unknown command "keys"/],
    [['keys', 'old', 'a', 'write'], 'command', /unknown command/],
    [['status', '--jsn'], 'jsn', /unknown flag --jsn for async2 status: its flags are --json, --consumer/],
    [['status', 'extra'], 'arguments', /async2 status takes no arguments, got "extra"/],
    [['status', '--json=yes'], 'json', /--json takes no value/],
    [['status', '--consumer'], 'consumer', /--consumer needs a value/],
    [['status', '--consumer', 'ftp://x'], 'consumer', /must be an http:\/\/ or https:\/\/ URL/],
    [['status', '--consumer', 'not a url'], 'consumer', /must be a URL/],
    [['keys', 'new', 'only-a-name'], 'arguments', /takes <name> <scopes>, got "only-a-name"/],
    [['rebuild'], 'partition', /needs --partition <p>/],
    [['rebuild', '--partition', '-1'], 'partition', /--partition="-1": must be a whole number, 0 or more/],
    [['rebuild', '--partition', '1.5'], 'partition', /must be a whole number/],
    [['rebuild', '--partition', '1', '--partition', '2'], 'partition', /--partition is given twice/],
    [['rebuild', '--partition', '1', '--from-offset', '99999999999999999999'], 'from-offset', /must be a whole number/],
    [['rebuild', '--partition', '1', '--from', '0'], 'from', /unknown flag --from for async2 rebuild/],
  ])('refuses %j naming %s', (argv, field, message) => {
    const error = refusal(argv);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('documents every command and flag in the usage text', () => {
    expect(usage()).toMatch(/status[\s\S]*keys new[\s\S]*rebuild[\s\S]*parked list[\s\S]*parked replay[\s\S]*0 ok, 1 failure,\s+2 bad input/);
    expect(usage('rebuild')).toMatch(/--partition <value>[\s\S]*--from-offset <value>/);
    expect(usage('keys new')).toContain('usage: async2 keys new <name> <scopes>');
  });
});
