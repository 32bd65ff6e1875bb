// A preload that samples a Node process's memory every 250 ms into a JSON-lines file, to see what an
// RSS figure is made of (V8's heap used and reserved per space, external memory, array buffers):
//
//   npm run bench -- --only overload --reps 1 --consumer-env NODE_OPTIONS=--require=./tools/bench/heap-sampler.cjs
//   node tools/bench/heap-sampler.cjs /tmp/heap-samples-<pid>.jsonl      # prints every 2 s of it
//
// One file per process: HEAP_SAMPLES_DIR (default the system's temp dir)/heap-samples-<pid>.jsonl.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');

const MiB = 1024 * 1024;

function sample(t0) {
  const memory = process.memoryUsage();
  const spaces = v8.getHeapSpaceStatistics();
  const used = Object.fromEntries(spaces.map((s) => [s.space_name, Math.round(s.space_used_size / MiB)]));
  const reserved = Object.fromEntries(spaces.map((s) => [s.space_name, Math.round(s.space_size / MiB)]));
  return { t: (Date.now() - t0) / 1000, rss: Math.round(memory.rss / MiB), heapTotal: Math.round(memory.heapTotal / MiB), heapUsed: Math.round(memory.heapUsed / MiB), external: Math.round(memory.external / MiB), arrayBuffers: Math.round(memory.arrayBuffers / MiB), used, reserved };
}

if (require.main === module) {
  const lines = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  console.log('   t s   RSS  heap reserved  heap used  old used/reserved  large objects  external  (MiB)');
  lines.filter((_, i) => i % 8 === 0).forEach((s) => {
    console.log(`${s.t.toFixed(1).padStart(6)} ${String(s.rss).padStart(5)} ${String(s.heapTotal).padStart(14)} ${String(s.heapUsed).padStart(10)} ${`${s.used.old_space}/${s.reserved.old_space}`.padStart(18)} ${String(s.used.large_object_space).padStart(14)} ${String(s.external).padStart(9)}`);
  });
} else {
  const dir = process.env.HEAP_SAMPLES_DIR ?? os.tmpdir();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `heap-samples-${process.pid}.jsonl`);
  const t0 = Date.now();
  setInterval(() => fs.appendFileSync(file, `${JSON.stringify(sample(t0))}\n`), 250).unref();
}
