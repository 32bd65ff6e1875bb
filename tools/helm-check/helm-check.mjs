// Checks a Helm chart with Helm's own library, without a helm binary: Maven fetches helm-java (Helm's
// Go code packaged for Java, with the native linux-amd64 library) once into
// .cache/helm-java/<version>/libs (git-ignored), then Java runs HelmCheck.java, a single-file program.
// Module: helmCheck({ chartDir, release, namespace, kubeVersion, valuesFiles: { name: path }, log }) ->
//   { lint: { failed, messages }, rendered: { default: yamlText, <name>: yamlText } }
// CLI:    node tools/helm-check/helm-check.mjs [--json] <chart-dir> [<name>=<values.yaml> ...]
//         prints the lint messages and the rendered manifests (--json: the module's result as JSON)
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = resolve(HERE, '../../.cache/helm-java');
const POM = join(HERE, 'pom.xml');
const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';

function run(cmd, args) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code, out }));
  });
}

/** Downloads into a temp dir and renames when complete, so an interrupted download never looks like a cache. */
async function ensureJars(log) {
  const version = readFileSync(POM, 'utf8').match(/<helm-java\.version>([^<]+)</)[1];
  const libs = join(CACHE, version, 'libs');
  if (existsSync(join(libs, `linux-amd64-${version}.jar`))) return libs;
  log(`[helm-check] downloading helm-java ${version} with Maven`);
  const tmp = `${libs}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  const res = await run('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${tmp}`]).catch((e) => ({ code: -1, out: e.message }));
  if (res.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`Maven could not download helm-java ${version} (Java 17+ and Maven are needed):\n${res.out.trim().split('\n').slice(-20).join('\n')}`);
  }
  try { renameSync(tmp, libs); } catch { rmSync(tmp, { recursive: true, force: true }); } // a parallel run won the race
  return libs;
}

// helm-java's template returns the release manifest only: Helm keeps objects annotated as hooks
// apart (release.Hooks), so the migration and topic Jobs would be missing. The check therefore
// renders a copy of the chart in which the annotation key `helm.sh/hook` (and -weight,
// -delete-policy) is renamed, and names it back in the output: a one-to-one rename, so the
// rendered hooks are exactly what Helm would apply.
const HOOK_KEY = 'helm.sh/hook';
const HIDDEN_HOOK_KEY = 'helm-check.invalid/hook';

function copyWithVisibleHooks(chartDir, into) {
  cpSync(chartDir, into, { recursive: true });
  const templates = join(into, 'templates');
  for (const file of readdirSync(templates)) {
    const path = join(templates, file);
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll(HOOK_KEY, HIDDEN_HOOK_KEY));
  }
}

export async function helmCheck({ chartDir, release = 'async2', namespace = 'async2', kubeVersion = 'v1.31.0', valuesFiles = {}, log = () => {} }) {
  const libs = await ensureJars(log);
  const work = mkdtempSync(join(tmpdir(), 'helm-check-'));
  const out = join(work, 'out');
  const renderChart = join(work, 'chart');
  try {
    copyWithVisibleHooks(resolve(chartDir), renderChart);
    const named = Object.entries(valuesFiles).map(([name, file]) => `${name}=${resolve(file)}`);
    // The native library is a Go c-shared object; helm-java must not fetch another one at run time.
    const res = await run(JAVA, ['-Dcom.marcnuri.jkube-helm.skipRemoteJar=true', '-cp', join(libs, '*'), join(HERE, 'HelmCheck.java'), resolve(chartDir), renderChart, out, release, namespace, kubeVersion, ...named]);
    if (res.code !== 0) throw new Error(`helm-java failed (exit ${res.code}):\n${res.out.trim()}`);
    const [status, ...messages] = readFileSync(join(out, 'lint.txt'), 'utf8').trimEnd().split('\n');
    const rendered = Object.fromEntries(readdirSync(out).filter((f) => f.endsWith('.yaml')).map((f) => [f.slice(0, -'.yaml'.length), readFileSync(join(out, f), 'utf8').replaceAll(HIDDEN_HOOK_KEY, HOOK_KEY)]));
    return { lint: { failed: status !== 'failed: false', messages }, rendered };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args[0] === '--json';
  const [chartDir, ...rest] = json ? args.slice(1) : args;
  if (!chartDir) {
    console.error('usage: node tools/helm-check/helm-check.mjs [--json] <chart-dir> [<name>=<values.yaml> ...]');
    process.exit(2);
  }
  const valuesFiles = Object.fromEntries(rest.map((a) => a.split('=', 2)));
  helmCheck({ chartDir, valuesFiles, log: (m) => console.error(m) }).then(
    (result) => {
      if (json) {
        process.stdout.write(JSON.stringify(result));
        return;
      }
      const { lint, rendered } = result;
      console.log(`# helm lint: ${lint.failed ? 'FAILED' : 'ok'}\n${lint.messages.map((m) => `#   ${m}`).join('\n')}`);
      for (const [name, text] of Object.entries(rendered)) console.log(`# ---- helm template (${name}) ----\n${text}`);
      process.exitCode = lint.failed ? 1 : 0;
    },
    (error) => {
      console.error(`[helm-check] ${error.message}`);
      process.exit(1);
    },
  );
}
