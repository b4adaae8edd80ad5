// bench/two-processes.mjs: diagnostic: two `harness run` processes on one experiment, against one.
//
// What: the synthetic experiment of bench/full-runs.mjs (1,000 runs, simulator latency 0), run
// once by one `harness run -j 16` and once by two `harness run -j 8` started together on the same
// run set (what a user does from two terminals, or two machines sharing a file system). Reports
// the wall time until the last process ends, and how the two split the slots. Two processes have
// no target; on two cores they cannot be much faster than one (both are bound by their main
// thread), but they must not be much slower: each process skips the slots the other locked, and
// checks them against the registry entries it reads as the registry grows.
// Afterwards: every slot has exactly one locked run in the registry, and 1,000 lock.json files.
// Run: make build && node bench/two-processes.mjs [--runs 1000] [--repeat 3]
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CLI, countRunFiles, machine, makeTempRoot, measure, median, printTable, removeTree, requireBuild, round, writeSyntheticExperiment } from './lib/common.mjs';

requireBuild();
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const TASKS = 10;
const PAIRS = Math.ceil(Number(opt('--runs', 1000)) / (TASKS * 2));
const RUNS = TASKS * PAIRS * 2;
const REPEAT = Number(opt('--repeat', 3));

// A frozen experiment in a fresh temp dir; the trees are removed only at the end (bench/README.md).
const roots = [];
async function prepare() {
  const root = await makeTempRoot('harness-bench-two-');
  roots.push(root);
  const exp = await writeSyntheticExperiment(root, { tasks: TASKS, pairs: PAIRS });
  const f = spawnSync(process.execPath, [CLI, 'freeze', exp], { cwd: root, encoding: 'utf8' });
  if (f.status !== 0) throw new Error(`harness freeze failed:\n${f.stdout}${f.stderr}`);
  return { root, exp };
}

async function runWith(processes, jobs) {
  const { root, exp } = await prepare();
  const start = performance.now();
  const results = await Promise.all(Array.from({ length: processes }, () => measure([process.execPath, CLI, 'run', exp, '-j', String(jobs), '--json'], { cwd: root })));
  const wallS = (performance.now() - start) / 1000;
  const runsDir = path.join(root, 'runs', exp);
  const entries = (await fs.readFile(path.join(runsDir, 'registry.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const lockedSlots = entries.filter((e) => e.type === 'locked').map((e) => `${e.data.pairId}/${e.data.variant}`);
  const locks = await countRunFiles(runsDir, 'lock.json');
  const ok = results.every((r) => r.code === 0) && lockedSlots.length === RUNS && new Set(lockedSlots).size === RUNS && locks === RUNS;
  if (!ok) console.error(`${processes} process(es): not every slot locked exactly once (${lockedSlots.length} locked entries, ${locks} lock.json)`, results.map((r) => r.stderr.slice(-500)));
  const executed = results.map((r) => JSON.parse(r.stdout).executed);
  return { wallS, executed, ok };
}

const samples = { one: [], two: [] };
for (let i = 0; i < REPEAT; i++) {
  samples.one.push(await runWith(1, 16));
  samples.two.push(await runWith(2, 8));
}
await Promise.all(roots.map(removeTree));

const medianOf = (list) => median(list.map((s) => s.wallS));
const rows = [
  { setup: 'one `run -j 16`', 'wall s (median)': round(medianOf(samples.one)), 'runs executed by each': samples.one.map((s) => s.executed.join('')).join(' | '), ok: samples.one.every((s) => s.ok) },
  { setup: 'two `run -j 8` at once', 'wall s (median)': round(medianOf(samples.two)), 'runs executed by each': samples.two.map((s) => s.executed.join('+')).join(' | '), ok: samples.two.every((s) => s.ok) },
];
console.log(`${RUNS} runs, ${REPEAT} samples each (${JSON.stringify(machine())})`);
printTable(rows);
console.log(JSON.stringify({
  bench: 'two-processes', runs: RUNS, machine: machine(),
  oneS: round(medianOf(samples.one), 3), twoS: round(medianOf(samples.two), 3), ratio: round(medianOf(samples.two) / medianOf(samples.one), 3),
  samples: { one: samples.one.map((s) => round(s.wallS, 2)), two: samples.two.map((s) => ({ wallS: round(s.wallS, 2), executed: s.executed })) },
  ok: [...samples.one, ...samples.two].every((s) => s.ok),
}));
