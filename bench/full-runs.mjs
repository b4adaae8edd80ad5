// bench/full-runs.mjs (a): a whole experiment through `harness run`, next to promptfoo.
//
// What: wall time, CPU time (user+sys) and peak RSS of `harness run <exp> -j N` for N in --jobs
// (default 8,16,32) on a synthetic experiment of --runs runs (default 1,000 = 10 tasks x 50 pairs x
// 2 variants; each task a one-file fixture, one write_file step, one file_equals check, simulator
// latency 0, so each run is 2 model turns against the in-process simulator). Every run is pinned,
// executed, evaluated and locked; afterwards the script checks that every run folder has its
// lock.json. Side by side, promptfoo 0.119.9 evaluating the same number of trivial tests (the
// `echo` provider, one prompt, one var and one `equals` assertion per test) with
// `--max-concurrency N --no-cache --no-write --no-share --no-table --no-progress-bar`, and once
// (at the first N) also writing its results database, which is closer to what harness does.
// Targets: harness wall <= 1.0x promptfoo's, harness peak RSS < 150 MB.
// How: each command is a child process run under GNU time (`/usr/bin/time -v`: wall from the
// script's clock around the child, peak RSS = "Maximum resident set size", user/sys CPU); without
// GNU time, VmHWM is polled from /proc. Harness and promptfoo alternate which goes first at each N.
// `harness freeze` is run (untimed) before each `run`, in a fresh temp dir each time. promptfoo is
// installed once with `npm install promptfoo@0.119.9` into $TMPDIR/harness-bench-promptfoo-0.119.9
// (kept between invocations; never a project dependency) and runs with telemetry, update checks
// and sharing disabled and its config dir inside the temp dir.
// --profile: additionally runs harness once more under `node --cpu-prof` (first N) and prints
// where the main thread's time goes (bench/lib/cpuprofile.mjs).
// --repeat N (default 3): each measurement N times, alternating the tools; the median by wall time
// is reported (every sample is in the JSON line).
// Run: make build && node bench/full-runs.mjs [--runs 1000] [--jobs 8,16,32] [--repeat 3] [--profile] [--no-promptfoo]
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, UNBUNDLED_CLI, countRunFiles, hasGnuTime, machine, makeTempRoot, measure, printTable, removeTree, requireBuild, round, writeSyntheticExperiment } from './lib/common.mjs';
import { aggregate, byArea, byHarnessCaller, loadProfiles } from './lib/cpuprofile.mjs';

requireBuild();
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const RUNS = Number(opt('--runs', 1000));
const JOBS = opt('--jobs', '8,16,32').split(',').map(Number);
const PROFILE = args.includes('--profile');
const PROMPTFOO = !args.includes('--no-promptfoo');
const REPEAT = Number(opt('--repeat', 3));
const TASKS = 10;
const PAIRS = Math.ceil(RUNS / (TASKS * 2));
const TOTAL = TASKS * PAIRS * 2;
const PF_VERSION = '0.119.9';
if (!hasGnuTime()) {
  // GNU time gives peak RSS and CPU of the whole process tree; install it where we can (root with apt).
  const apt = spawnSync('sh', ['-c', 'command -v apt-get >/dev/null && [ "$(id -u)" = 0 ] && (apt-get install -y -qq time >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq time >/dev/null 2>&1))'], { stdio: 'ignore' });
  if (apt.status !== 0) console.error('GNU time not available: peak RSS is polled from /proc/<pid>/status (VmHWM), CPU is not measured');
}
const useGnuTime = hasGnuTime();

// --- promptfoo, installed once outside the project ---
async function promptfooDir() {
  const dir = path.join(os.tmpdir(), `harness-bench-promptfoo-${PF_VERSION}`);
  const bin = path.join(dir, 'node_modules', '.bin', 'promptfoo');
  if (!existsSync(bin)) {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'package.json'), '{"name":"harness-bench-promptfoo","private":true}\n');
    console.error(`installing promptfoo@${PF_VERSION} into ${dir} (once; takes a few minutes)…`);
    const r = spawnSync('npm', ['install', `promptfoo@${PF_VERSION}`, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('npm install promptfoo failed');
  }
  const { version } = JSON.parse(await fs.readFile(path.join(dir, 'node_modules', 'promptfoo', 'package.json'), 'utf8'));
  if (version !== PF_VERSION) throw new Error(`${dir} holds promptfoo ${version}, not ${PF_VERSION}: remove the folder and run again`);
  return { dir, bin };
}

async function writePromptfooConfig(root, n) {
  const tests = Array.from({ length: n }, (_, i) => `  - vars: { n: "${i}" }\n    assert:\n      - type: equals\n        value: "answer ${i}"\n`).join('');
  const file = path.join(root, 'promptfooconfig.yaml');
  await fs.writeFile(file, `description: harness bench, ${n} trivial echo tests\nprompts:\n  - "answer {{n}}"\nproviders:\n  - echo\ntests:\n${tests}`);
  return file;
}

const promptfooEnv = (root) => ({
  ...process.env,
  PROMPTFOO_DISABLE_TELEMETRY: '1', PROMPTFOO_DISABLE_UPDATE: '1', PROMPTFOO_DISABLE_SHARING: '1',
  PROMPTFOO_DISABLE_REMOTE_GENERATION: '1', PROMPTFOO_DISABLE_SHARE_WARNING: '1', PROMPTFOO_CONFIG_DIR: path.join(root, '.promptfoo'),
  NO_COLOR: '1', CI: '1',
});

async function runPromptfoo(pf, jobs, { write = false } = {}) {
  const root = await makeTempRoot('harness-bench-pf-');
  const config = await writePromptfooConfig(root, TOTAL);
  const argv = [pf.bin, 'eval', '-c', config, '--max-concurrency', String(jobs), '--no-cache', '--no-progress-bar', '--no-table', '--no-share', ...(write ? [] : ['--no-write'])];
  const r = await measure(argv, { cwd: root, env: promptfooEnv(root), timeFile: path.join(root, 'time.txt') });
  const ok = r.code === 0 && new RegExp(`Successes: ${TOTAL}\\b`).test(r.stdout + r.stderr);
  if (!ok) console.error(`promptfoo did not pass ${TOTAL} tests (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-2000)}`);
  leftovers.push(root);
  return { tool: write ? 'promptfoo (writes results db)' : 'promptfoo --no-write', jobs, wallS: r.wallMs / 1000, cpuS: r.cpuS, peakRssMb: r.peakRssMb, ok };
}

// Temp folders are removed only once everything is measured: ext4 scans past recently deleted
// inodes (for a minute or more) when it allocates new ones, so deleting the ~15,000 files of one
// measurement right before the next makes that one's file creation several times slower.
const leftovers = [];

// --- harness ---
async function prepareHarness() {
  const root = await makeTempRoot('harness-bench-full-');
  const exp = await writeSyntheticExperiment(root, { tasks: TASKS, pairs: PAIRS, latencyMs: 0 });
  const f = spawnSync(process.execPath, [CLI, 'freeze', exp], { cwd: root, encoding: 'utf8' });
  if (f.status !== 0) throw new Error(`harness freeze failed:\n${f.stdout}${f.stderr}`);
  return { root, exp };
}

async function runHarness(jobs) {
  const { root, exp } = await prepareHarness();
  const r = await measure([process.execPath, CLI, 'run', exp, '-j', String(jobs), '--json'], { cwd: root, timeFile: path.join(root, 'time.txt') });
  let summary;
  try { summary = JSON.parse(r.stdout); } catch { summary = undefined; }
  const locks = await countRunFiles(path.join(root, 'runs', exp), 'lock.json');
  const ok = r.code === 0 && summary?.complete === true && locks === TOTAL;
  if (!ok) console.error(`harness run incomplete (exit ${r.code}, ${locks} lock.json):\n${r.stderr.slice(-2000)}`);
  leftovers.push(root);
  return { tool: 'harness run', jobs, wallS: r.wallMs / 1000, cpuS: r.cpuS, peakRssMb: r.peakRssMb, ok, locks, elapsedS: summary?.progress?.elapsedSeconds };
}

async function profileHarness(jobs) {
  const { root, exp } = await prepareHarness();
  const dir = path.join(root, 'prof');
  // The unbundled build (tsc's dist/cli/, same code) so samples are charged to the harness's
  // own modules and dependencies by file, which the bundle's chunks would blur.
  const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, UNBUNDLED_CLI, 'run', exp, '-j', String(jobs), '--json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`profiled run failed: ${r.stderr.slice(-1000)}`);
  const profiles = loadProfiles(dir);
  const a = aggregate(profiles);
  const callers = byHarnessCaller(profiles);
  const areas = byArea(profiles);
  leftovers.push(root);
  return { jobs, a, callers, areas };
}

const pf = PROMPTFOO ? await promptfooDir() : undefined;
const rows = [];
// Each measurement --repeat times, the two tools alternating; the median (by wall time) is reported.
const medianRow = (runs) => [...runs].sort((a, b) => a.wallS - b.wallS)[Math.floor(runs.length / 2)];
for (const [i, jobs] of JOBS.entries()) {
  const samples = { harness: [], promptfoo: [] };
  for (let k = 0; k < REPEAT; k++) {
    const order = (i + k) % 2 === 0 ? ['harness', 'promptfoo'] : ['promptfoo', 'harness'];
    for (const tool of order) {
      const r = tool === 'harness' ? await runHarness(jobs) : pf ? await runPromptfoo(pf, jobs) : undefined;
      if (r === undefined) continue;
      samples[tool].push(r);
      console.error(`done: ${r.tool} -j ${jobs}: ${round(r.wallS)} s`);
    }
  }
  for (const runs of Object.values(samples)) if (runs.length > 0) rows.push({ ...medianRow(runs), wallSamplesS: runs.map((r) => round(r.wallS, 2)) });
}
if (pf) rows.push(await runPromptfoo(pf, JOBS[0], { write: true }));

const ratioRows = JOBS.map((jobs) => {
  const h = rows.find((r) => r.tool === 'harness run' && r.jobs === jobs);
  const p = rows.find((r) => r.tool === 'promptfoo --no-write' && r.jobs === jobs);
  return { jobs, harnessS: h.wallS, promptfooS: p?.wallS, ratio: p ? h.wallS / p.wallS : NaN, harnessPeakRssMb: h.peakRssMb, runsPerS: TOTAL / h.wallS };
});
console.log(`\n${TOTAL} runs/tests; ${JSON.stringify(machine())}; ${useGnuTime ? 'GNU time' : '/proc VmHWM polling'}`);
printTable(rows.map((r) => ({ tool: r.tool, jobs: r.jobs, 'wall s': round(r.wallS), 'cpu s': round(r.cpuS), 'peak RSS MB': round(r.peakRssMb, 1), 'runs/s': round(TOTAL / r.wallS, 1), ok: r.ok })));
console.log('');
printTable(ratioRows.map((r) => ({
  jobs: r.jobs, 'harness/promptfoo wall': round(r.ratio), 'target <= 1.0': r.ratio <= 1 ? 'met' : 'MISSED',
  'harness peak RSS MB': round(r.harnessPeakRssMb, 1), 'target < 150 MB': r.harnessPeakRssMb < 150 ? 'met' : 'MISSED',
})));

let profile;
if (PROFILE) {
  const p = await profileHarness(JOBS[0]);
  const busy = p.a.totalMs - p.a.idleMs;
  console.log(`\nprofile of harness run -j ${p.jobs}: main thread sampled ${round(p.a.totalMs / 1000)} s, busy ${round(busy / 1000)} s, idle ${round(p.a.idleMs / 1000)} s, GC ${round(p.a.gcMs / 1000)} s`);
  console.log('main-thread time by area of the harness');
  printTable(p.areas.map(([k, v]) => ({ area: k, ms: round(v, 0), '%': round((100 * v) / busy, 1), 'ms per run': round(v / TOTAL, 2) })));
  console.log('self time by module (top 15)');
  printTable(p.a.modules.slice(0, 15).map(([k, v]) => ({ module: k, ms: round(v, 0), '%': round((100 * v) / busy, 1) })));
  console.log('time charged to the innermost harness function (top 20)');
  printTable(p.callers.slice(0, 20).map(([k, v]) => ({ function: k, ms: round(v, 0), '%': round((100 * v) / busy, 1) })));
  profile = { jobs: p.jobs, sampledS: round(p.a.totalMs / 1000), busyS: round(busy / 1000), idleS: round(p.a.idleMs / 1000), gcS: round(p.a.gcMs / 1000), areasMs: Object.fromEntries(p.areas.map(([k, v]) => [k, round(v, 0)])), topModules: p.a.modules.slice(0, 10).map(([k, v]) => [k, round(v, 0)]), topCallers: p.callers.slice(0, 10).map(([k, v]) => [k, round(v, 0)]) };
}

console.log(JSON.stringify({
  bench: 'full-runs', runs: TOTAL, machine: machine(), measuredWith: useGnuTime ? 'gnu-time' : 'vmhwm-poll',
  results: rows.map((r) => ({ ...r, wallS: round(r.wallS, 3), cpuS: round(r.cpuS, 2), peakRssMb: round(r.peakRssMb, 1) })),
  ratios: ratioRows.map((r) => ({ jobs: r.jobs, harnessOverPromptfoo: round(r.ratio, 3), harnessPeakRssMb: round(r.harnessPeakRssMb, 1), harnessRunsPerS: round(r.runsPerS, 2) })),
  targets: { ratioMax: 1.0, peakRssMbMax: 150 },
  ...(profile ? { profile } : {}),
}));

for (const root of leftovers) await removeTree(root);
