// Compiles apps and libs with tsc (decorator metadata, which Nest's DI needs) into dist/, then
// rewrites the @async2/* path aliases into relative requires so plain `node` can run the output.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function build({ log = console.log } = {}) {
  const started = Date.now();
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  for (const [tool, args] of [
    ['tsc', ['-p', 'tsconfig.build.json']],
    ['tsc-alias', ['-p', 'tsconfig.build.json']],
  ]) {
    const result = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', tool), ...args], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`${tool} failed`);
  }
  // tsc copies no .proto files: the gRPC contract travels beside the compiled lib that loads it.
  cpSync(join(root, 'libs', 'events-proto', 'src'), join(root, 'dist', 'libs', 'events-proto', 'src'), {
    recursive: true,
    filter: (source) => !/\.ts$/.test(source),
  });
  // package.json's `bin` (the operator CLI): runnable as a program, as npm makes the bins it links.
  chmodSync(join(root, 'dist', 'apps', 'cli', 'src', 'main.js'), 0o755);
  log(`[build] dist/ built in ${Date.now() - started} ms`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    build();
  } catch (error) {
    console.error(`[build] ${error.message}`);
    process.exit(1);
  }
}
