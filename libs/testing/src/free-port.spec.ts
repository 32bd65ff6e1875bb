import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort, freePortFollowedBy } from './free-port';

const listen = (port: number) =>
  new Promise<() => Promise<void>>((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(() => new Promise((done) => server.close(() => done()))));
  });

describe('freePort', () => {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);

  it('hands out ports outside the kernel range for outgoing connections, so no client connection can take one before it is bound', async () => {
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port < low || port > high).toBe(true);
      expect(port).toBeGreaterThanOrEqual(10_000);
    }
  });

  it('a run of ports: the first and its successors are all free and outside that range', async () => {
    const port = await freePortFollowedBy(2);
    expect(port + 2 < low || port > high).toBe(true);
    const closers = [await listen(port), await listen(port + 1), await listen(port + 2)];
    await Promise.all(closers.map((close) => close()));
  });
});
