// `npm start` stops what it started however it is stopped: Ctrl-C (SIGINT), `kill` or a supervisor
// (SIGTERM; npm forwards it), a closed terminal (SIGHUP), or the death of npm (SIGHUP or SIGKILL to
// npm, which does not forward them: nothing tells this script, so it polls). Things are stopped in
// the reverse order of their start: the apps first (the consumer flushes and commits), then the
// database and the broker.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const PARENT_POLL_MS = 500;

/** A process's parent and command line (Linux /proc; ps elsewhere); undefined once it is gone. */
function processInfo(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    if (state === 'Z') return undefined; // exited, not yet reaped
    return { ppid: Number(ppid), command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') };
  } catch {
    const ps = spawnSync('ps', ['-o', 'ppid=,state=,args=', '-p', String(pid)], { encoding: 'utf8' }).stdout?.trim();
    const match = ps?.match(/^(\d+)\s+(\S+)\s+(.*)$/);
    return match && !match[2].startsWith('Z') ? { ppid: Number(match[1]), command: match[3] } : undefined;
  }
}

/**
 * The processes whose death means "stop": the parent, and when npm ran this script, every process up
 * to npm itself (npm runs scripts through `sh -c`, which stays between; npm titles itself "npm start").
 */
function watchedAncestors() {
  const chain = [process.ppid];
  if (!process.env.npm_lifecycle_event) return chain;
  for (let pid = process.ppid, info = processInfo(pid); info && pid > 1 && chain.length < 8; pid = info.ppid, info = processInfo(pid)) {
    if (!chain.includes(pid)) chain.push(pid);
    if (/^npm(\s|$)/.test(info.command)) return chain;
  }
  return [process.ppid]; // no npm found above: the parent alone
}

export function stopOnExit({ log }) {
  const stops = [];
  let step = Promise.resolve();
  let stopping;

  const stop = (reason, code) => {
    stopping ??= (async () => {
      log(reason);
      await step.catch(() => undefined); // a start under way finishes, so what it started is registered
      for (const stopOne of stops.reverse()) await stopOne().catch((error) => log(`stopping failed: ${error.message}`));
      process.exit(code);
    })();
    return stopping;
  };

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(`${signal}: stopping`, 0));
  const ancestors = watchedAncestors();
  setInterval(() => {
    const gone = ancestors.find((pid) => !processInfo(pid));
    if (gone) void stop(`the process that started this one (pid ${gone}) is gone: stopping`, 0);
  }, PARENT_POLL_MS).unref();
  // A closed terminal makes writes fail (EIO, EPIPE): that must not kill the script before it stopped the rest.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

  return {
    /** Runs one start-up step; its result's stop is registered with `onStop`. */
    async run(work) {
      if (stopping) return new Promise(() => undefined); // stopping: nothing new starts
      step = work();
      return step;
    },
    onStop(stopOne) {
      stops.push(stopOne);
    },
    stop,
    get stopping() {
      return stopping !== undefined;
    },
  };
}
