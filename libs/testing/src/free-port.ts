import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port handed out (below it sit well-known services such as PostgreSQL's 5432). */
const LOWEST = 10_000;
const ATTEMPTS = 1_000;

/**
 * The kernel's range for the local ports of outgoing connections (Linux; the IANA range elsewhere).
 * A port from it that is free now can be taken by any connection the test opens (a Kafka client, a
 * pg pool) before a child process binds it: a broker JVM takes seconds to start, and then exits
 * with "Address already in use". So the ports handed out here lie outside it.
 */
function ephemeralRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return { low, high };
  } catch {
    // not Linux
  }
  return { low: 49_152, high: 65_535 };
}

/** A TCP port on 127.0.0.1, outside the ephemeral range, that was free a moment ago. */
export function freePort(): Promise<number> {
  return freePortFollowedBy(0);
}

/** A free port whose next `successors` ports are free too (a broker's controller and SASL listeners), all outside the ephemeral range. */
export async function freePortFollowedBy(successors: number): Promise<number> {
  const { low, high } = ephemeralRange();
  // The wider of the two gaps around the ephemeral range.
  const [from, to] = low - LOWEST >= 65_535 - high ? [LOWEST, low - 1] : [high + 1, 65_535];
  const last = to - successors;
  if (last < from) throw new Error(`no room for ${successors + 1} ports outside the ephemeral range ${low}-${high}`);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = from + Math.floor(Math.random() * (last - from + 1));
    let free = true;
    for (let i = 0; i <= successors && free; i++) free = await isFree(port + i);
    if (free) return port;
  }
  throw new Error(`no free run of ${successors + 1} ports in ${from}-${to} after ${ATTEMPTS} attempts`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
