// `npm run test:soak`: builds dist/, then runs the soak (e2e/soak/soak.soak.ts): every fault
// scenario mixed at random under load for SOAK_MINUTES (default 10) on a broker of its own, then as
// long on a 3-broker cluster of its own, ending with the checker's table for each. The seed is printed first; SOAK_SEED=<seed> replays the same choices.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../build/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
build({ log: (msg) => console.log(`[soak] ${msg}`) });
const result = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', 'jest'), '--selectProjects', 'soak', '--runInBand', '--forceExit', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
