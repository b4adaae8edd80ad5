// bench/latency.mjs (b): does `harness run` keep -j runs in flight when the model is slow?
//
// What: the synthetic experiment of bench/full-runs.mjs (bench/lib/common.mjs: each run is exactly
// 2 model turns) with `simulator.latencyMs: 200`, i.e. every Messages API call takes >= 200 ms, run
// with `harness run -j 32`. Achieved runs/s against the ideal jobs / (turns per run x latency) =
// 32 / (2 x 0.2 s) = 80 runs/s; target ratio >= 0.95. Default 960 runs (10 tasks x 48 pairs x 2):
// about the 1,000 of (a), and a multiple of 32 so that the ideal schedule has no partly filled last wave.
// How: `harness freeze` (untimed), then `harness run <exp> -j 32 --json` as a child process; reported:
//  - whole command: runs / wall time of the `run` process (includes start-up and shutdown);
//  - steady state: runs / (last `locked` registry timestamp - the first run's pin time, its
//    manifest's createdAt), i.e. without process start-up, experiment loading and the final
//    registry read (not the first `pinned` entry's timestamp: entries are written in batches, and
//    the first batch may wait for the first runs' pins);
//  - the mean wall time of one run's agent loop (from the run summary) against its floor of
//    2 x latency, which shows how much the event loop stretches each run;
//  - CPU seconds of the process (GNU time), and CPU ms per run: the main thread can do at most
//    1000 / (CPU ms per run) runs/s, whatever -j is (an upper bound: some of that CPU is libuv's
//    thread pool, not the main thread).
// Run: make build && node bench/latency.mjs [--runs 960] [--jobs 32] [--latency 200]
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CLI, TURNS_PER_RUN, countRunFiles, machine, makeTempRoot, measure, printTable, removeTree, requireBuild, round, writeSyntheticExperiment } from './lib/common.mjs';

requireBuild();
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const JOBS = Number(opt('--jobs', 32));
const LATENCY = Number(opt('--latency', 200));
const TASKS = 10;
const PAIRS = Math.ceil(Number(opt('--runs', 960)) / (TASKS * 2));
const RUNS = TASKS * PAIRS * 2;

const root = await makeTempRoot('harness-bench-latency-');
const exp = await writeSyntheticExperiment(root, { tasks: TASKS, pairs: PAIRS, latencyMs: LATENCY });
const f = spawnSync(process.execPath, [CLI, 'freeze', exp], { cwd: root, encoding: 'utf8' });
if (f.status !== 0) throw new Error(`harness freeze failed:\n${f.stdout}${f.stderr}`);
const r = await measure([process.execPath, CLI, 'run', exp, '-j', String(JOBS), '--json'], { cwd: root, timeFile: path.join(root, 'time.txt') });
const summary = JSON.parse(r.stdout);
const runsDir = path.join(root, 'runs', exp);
const locks = await countRunFiles(runsDir, 'lock.json');
if (r.code !== 0 || !summary.complete || locks !== RUNS) throw new Error(`run incomplete (exit ${r.code}, ${locks}/${RUNS} locked): ${r.stderr.slice(-1500)}`);
const entries = (await fs.readFile(path.join(runsDir, 'registry.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
const firstRun = entries.find((e) => e.type === 'pinned').data.runId;
const firstPinned = Date.parse(JSON.parse(await fs.readFile(path.join(runsDir, firstRun, 'manifest.json'), 'utf8')).createdAt);
const lastLocked = Date.parse(entries.filter((e) => e.type === 'locked').at(-1).at);
await removeTree(root);

const ideal = JOBS / ((TURNS_PER_RUN * LATENCY) / 1000);
const wholeRate = RUNS / (r.wallMs / 1000);
const steadyRate = RUNS / ((lastLocked - firstPinned) / 1000);
const meanRunS = summary.progress.total.meanWallTimeSeconds;
const cpuMsPerRun = (r.cpuS * 1000) / RUNS;
console.log(`${RUNS} runs, -j ${JOBS}, ${LATENCY} ms per model call, ${TURNS_PER_RUN} calls per run (${JSON.stringify(machine())})`);
printTable([
  { measure: 'ideal (jobs / (turns x latency))', 'runs/s': round(ideal, 1), 'ratio to ideal': 1, note: '' },
  { measure: 'whole `run` command', 'runs/s': round(wholeRate, 1), 'ratio to ideal': round(wholeRate / ideal), note: `wall ${round(r.wallMs / 1000)} s` },
  { measure: 'steady state (first pin..last locked)', 'runs/s': round(steadyRate, 1), 'ratio to ideal': round(steadyRate / ideal), note: `${round((lastLocked - firstPinned) / 1000)} s` },
  { measure: 'CPU-bound ceiling (1000 / CPU ms per run)', 'runs/s': round(1000 / cpuMsPerRun, 1), 'ratio to ideal': round(1000 / cpuMsPerRun / ideal), note: `${round(r.cpuS)} CPU s, ${round(cpuMsPerRun, 1)} ms/run` },
]);
console.log(`\nmean agent-loop wall time per run ${round(meanRunS * 1000)} ms (floor ${TURNS_PER_RUN * LATENCY} ms); peak RSS ${round(r.peakRssMb, 1)} MB`);
console.log(`ratio (whole command) ${round(wholeRate / ideal)}: target >= 0.95 ${wholeRate / ideal >= 0.95 ? 'met' : 'MISSED'}`);
console.log(JSON.stringify({
  bench: 'latency', runs: RUNS, jobs: JOBS, latencyMs: LATENCY, turnsPerRun: TURNS_PER_RUN, machine: machine(),
  idealRunsPerS: round(ideal, 2), runsPerS: round(wholeRate, 2), ratio: round(wholeRate / ideal, 3),
  steadyRunsPerS: round(steadyRate, 2), steadyRatio: round(steadyRate / ideal, 3), wallS: round(r.wallMs / 1000, 3),
  meanRunWallMs: round(meanRunS * 1000, 1), cpuS: round(r.cpuS, 2), cpuMsPerRun: round(cpuMsPerRun, 1), peakRssMb: round(r.peakRssMb, 1),
  target: 0.95, met: wholeRate / ideal >= 0.95,
}));
