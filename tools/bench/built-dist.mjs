// What the in-process benchmarks of tools/bench share: the build they measure (DIST, default the
// repository's dist/, so a build of another commit can be compared), a require for it, their
// round count and the median they print.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dist = resolve(process.env.DIST ?? join(root, 'dist'));
const require = createRequire(import.meta.url);

/** A module of the build, by its path under dist/ (e.g. 'libs/domain/src/index.js'). */
export const requireBuilt = (path) => require(join(dist, path));

export const ROUNDS = Number(process.env.ROUNDS ?? 7);

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
