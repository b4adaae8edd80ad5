// bench/lock-contention.mjs: how long `harness run -j N` waits for its own locks (a diagnostic
// behind bench/full-runs.mjs).
//
// What: for each kind of proper-lockfile lock the runner takes — the registry lock (taken per group
// of appends: pins, locks) and, under `.claims`, the process's owner lock and the lock taken to
// take over a claim its holder let go or left behind — how many were taken, how long callers
// waited to get them (acquire latency, which includes proper-lockfile's sleep-and-retry backoff
// of 5…250 ms when the lock is busy) and how long they were held. Also the whole `run` wall time
// and runs/s.
// How: runs the `run` command function from dist/commands/run.js in this process on a synthetic
// experiment (bench/lib/common.mjs, frozen through the CLI), with proper-lockfile's `lock` wrapped
// by a timer. The wrapper patches the CommonJS module object the harness imports, so it sees every
// lock the harness takes; nothing in the harness is changed.
// Run: make build && node bench/lock-contention.mjs [runs=400] [jobs=8,32]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CLI, REPO, machine, makeTempRoot, printTable, removeTree, requireBuild, round, writeSyntheticExperiment } from './lib/common.mjs';

requireBuild();
const RUNS = Number(process.argv[2] ?? 400);
const JOBS = (process.argv[3] ?? '8,32').split(',').map(Number);

const lockfile = createRequire(path.join(REPO, 'package.json'))('proper-lockfile');
const originalLock = lockfile.lock;
let stats;
lockfile.lock = async (file, options) => {
  const kind = file.includes(`${path.sep}.claims${path.sep}`) ? 'slot claim' : file.endsWith('registry.jsonl') ? 'registry' : 'other';
  const s = (stats[kind] ??= { n: 0, waitMs: 0, maxWaitMs: 0, holdMs: 0, refused: 0 });
  const t0 = performance.now();
  let release;
  try {
    release = await originalLock(file, options);
  } catch (err) {
    s.refused++;
    throw err;
  }
  const got = performance.now();
  s.n++;
  s.waitMs += got - t0;
  s.maxWaitMs = Math.max(s.maxWaitMs, got - t0);
  return async () => {
    s.holdMs += performance.now() - got;
    return release();
  };
};
const { run } = await import(path.join(REPO, 'dist', 'commands', 'run.js'));

const results = [];
for (const jobs of JOBS) {
  const root = await makeTempRoot('harness-bench-locks-');
  await writeSyntheticExperiment(root, { tasks: 10, pairs: Math.ceil(RUNS / 20) });
  const frozen = spawnSync(process.execPath, [CLI, 'freeze', 'bench-exp'], { cwd: root, encoding: 'utf8' });
  if (frozen.status !== 0) throw new Error(`freeze failed: ${frozen.stderr}`);
  process.chdir(root);
  stats = {};
  const t0 = performance.now();
  const r = await run({ experiment: 'bench-exp', jobs, sandbox: 'auto' });
  const wallMs = performance.now() - t0;
  if (!r.complete) throw new Error(`run incomplete: ${JSON.stringify(r.incomplete.slice(0, 3))}`);
  process.chdir(REPO);
  await removeTree(root);
  results.push({ jobs, runs: r.executed, wallMs, locks: stats });
}

console.log(`lock waits inside \`harness run\`, ${RUNS} runs (${JSON.stringify(machine())})`);
printTable(results.flatMap((r) => Object.entries(r.locks).map(([kind, s]) => ({
  jobs: r.jobs, 'run wall s': round(r.wallMs / 1000), 'runs/s': round(r.runs / (r.wallMs / 1000), 1), lock: kind, taken: s.n,
  'wait total s': round(s.waitMs / 1000), 'wait mean ms': round(s.waitMs / s.n), 'wait max ms': round(s.maxWaitMs),
  'hold mean ms': round(s.holdMs / s.n), 'held % of wall': round((100 * s.holdMs) / r.wallMs, 1),
}))));
console.log(JSON.stringify({
  bench: 'lock-contention', runs: RUNS, machine: machine(),
  results: results.map((r) => ({ jobs: r.jobs, wallS: round(r.wallMs / 1000, 3), runsPerS: round(r.runs / (r.wallMs / 1000), 2), locks: Object.fromEntries(Object.entries(r.locks).map(([k, s]) => [k, { taken: s.n, waitTotalS: round(s.waitMs / 1000, 3), waitMeanMs: round(s.waitMs / s.n), waitMaxMs: round(s.maxWaitMs), holdMeanMs: round(s.holdMs / s.n) }])) })),
}));
