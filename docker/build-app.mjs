#!/usr/bin/env node
// The build steps of the container image, as a script so a test can run exactly the same steps in a
// temporary folder and start the result (Docker does not run on our machines; this is the proof
// that what the image holds works).
//
//   node docker/build-app.mjs <producer|consumer> <out-dir>
//
// Run from a folder holding the sources the Dockerfile copies (package.json, package-lock.json,
// tsconfig*.json, apps/, libs/, tools/build/). It installs the locked dependencies, builds dist/
// with the project's own build (tsc + tsc-alias), then assembles <out-dir> with only what runs:
// package.json, the lock, production dependencies, the app's and the libraries' compiled code,
// and main.js, the image's entry point. Plain ESM with Node builtins only.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const APPS = ['producer', 'consumer'];
const say = (msg) => console.log(`[build-app] ${msg}`);

function run(command, args, cwd) {
  say(`${command} ${args.join(' ')}   (in ${cwd})`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

// --ignore-scripts: nothing the apps need builds at install time; it also keeps the npm `node`
// devDependency (a second Node binary for the project's scripts) from unpacking in the image.
// --prefer-offline: take what npm's cache holds without asking the registry again.
const NPM_INSTALL = ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'];

export function buildApp(app, outDir, sourceDir = process.cwd()) {
  if (!APPS.includes(app)) throw new Error(`app must be one of ${APPS.join(', ')}, got ${JSON.stringify(app)}`);
  const started = Date.now();
  const src = resolve(sourceDir);
  const out = resolve(outDir);
  for (const needed of ['package.json', 'package-lock.json', 'tsconfig.build.json', 'tools/build/build.mjs', `apps/${app}/src/main.ts`]) {
    if (!existsSync(join(src, needed))) throw new Error(`${needed} is missing in ${src}`);
  }

  // 1. Build with every locked dependency (the compiler is a devDependency).
  if (!existsSync(join(src, 'node_modules'))) run('npm', NPM_INSTALL, src);
  run(process.execPath, ['tools/build/build.mjs'], src);

  // 2. Assemble the runtime folder: compiled code and production dependencies only.
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(src, file), join(out, file));
  cpSync(join(src, 'dist', 'apps', app), join(out, 'dist', 'apps', app), { recursive: true });
  cpSync(join(src, 'dist', 'libs'), join(out, 'dist', 'libs'), { recursive: true });
  run('npm', [...NPM_INSTALL, '--omit=dev'], out);
  writeFileSync(join(out, 'main.js'), `// Entry point of the ${app} image, written by docker/build-app.mjs.\nrequire('./dist/apps/${app}/src/main.js');\n`);
  say(`${app} assembled in ${out} in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [, , app, outDir] = process.argv;
  try {
    if (!app || !outDir) throw new Error('usage: node docker/build-app.mjs <producer|consumer> <out-dir>');
    buildApp(app, outDir);
  } catch (error) {
    console.error(`[build-app] ${error.message}`);
    process.exit(1);
  }
}
