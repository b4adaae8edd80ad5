// bench/stages.mjs: where the time of one run goes (a diagnostic behind bench/full-runs.mjs).
//
// What: the per-run wall time and on-CPU time of each stage `harness run` does for a slot —
// init (pin: manifest, run folder; the `pinned` registry entry is queued there and written while the
// agent runs, awaited before lock), validate (the manifest against its schema,
// digests and schedule), execute (copy the fixture, the agent loop against the in-process
// simulator, trace), evaluate (checks over the trace just written, scorecard + evaluation.log),
// lock (hash, lock.json + SHA256SUMS, chmod, `locked` entry) — then sub-operations of those
// stages, and the primitives they are built of: one atomic write
// (temp + fsync + rename + dir fsync), one registry lock/unlock (proper-lockfile), one
// appendEntry, one claim, one fsync.
// How: imports the built pipeline from dist/ and calls the same functions pinSlot and finishSlot call, one
// slot at a time (no concurrency, so nothing waits on another run), on a synthetic experiment
// (bench/lib/common.mjs) frozen through the CLI. CPU time is process.cpuUsage (user+sys of the
// whole process, including libuv's thread pool) across the stage.
// Run: make build && node bench/stages.mjs [runs=100]
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CLI, REPO, machine, makeTempRoot, median, printTable, quantile, removeTree, requireBuild, round, writeSyntheticExperiment } from './lib/common.mjs';

requireBuild();
const RUNS = Number(process.argv[2] ?? 100);
const dist = (p) => import(path.join(REPO, 'dist', p));
const { loadExperiment } = await dist('experiment/load-experiment.js');
const { loadFrozenSet } = await dist('pipeline/frozen-set.js');
const { initRun } = await dist('pipeline/init-run.js');
const { loadValidRun } = await dist('pipeline/load-run.js');
const { executeValidRun } = await dist('pipeline/execute-run.js');
const { evaluateValidRun } = await dist('pipeline/evaluate-run.js');
const { lockValidRun } = await dist('pipeline/lock-run.js');
const { writeFileAtomic } = await dist('store/atomic-write.js');
const { withRegistryLock, appendEntry } = await dist('store/registry.js');
const { openClaims } = await dist('pipeline/claims.js');
const { checkManifestFile } = await dist('pipeline/validate-manifest.js');
const { readTrace } = await dist('store/trace-file.js');
const { listTree, treeDigest } = await dist('store/file-tree.js');
const { jsonDigest } = await dist('core/digest.js');
const { simEndpoint } = await dist('providers/sim-provider.js');
const { createClient } = await dist('providers/anthropic-client.js');
const { toolsFor } = await dist('agent/tools/definitions.js');

const root = await makeTempRoot('harness-bench-stages-');
const pairs = Math.max(1, Math.ceil(RUNS / 20));
await writeSyntheticExperiment(root, { tasks: 10, pairs });
const frozeOut = spawnSync(process.execPath, [CLI, 'freeze', 'bench-exp'], { cwd: root, encoding: 'utf8' });
if (frozeOut.status !== 0) throw new Error(`freeze failed: ${frozeOut.stderr}`);
process.chdir(root);

const exp = await loadExperiment('bench-exp');
const frozen = await loadFrozenSet(exp.location.runsDir, exp.config.id);
const contexts = new Map();
const stages = ['init', 'validate', 'execute', 'evaluate', 'lock'];
const wall = Object.fromEntries(stages.map((s) => [s, []]));
const cpu = Object.fromEntries(stages.map((s) => [s, []]));
const timed = async (name, fn) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await fn();
  wall[name].push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu[name].push((c.user + c.system) / 1000);
  return r;
};
const slots = frozen.schedule.slots.slice(0, RUNS);
const sandbox = { mode: 'none' };
for (const slot of slots) {
  const run = await timed('init', () => initRun(exp, frozen, { task: slot.task, variant: slot.variant, pairId: slot.pairId, seed: slot.seed, adhoc: false }, { sandbox, attempt: 1 }));
  const valid = await timed('validate', () => loadValidRun(run.manifestFile, contexts));
  const ex = await timed('execute', () => executeValidRun(valid));
  await run.registered;
  if (ex.infrastructureError) throw new Error(ex.infrastructureError);
  const { scorecard } = await timed('evaluate', () => evaluateValidRun(valid, { trace: ex.trace }));
  await timed('lock', () => lockValidRun(valid, { scorecard }));
}

// Sub-operations of a run, on the runs just made (wall and CPU per call, median).
const sub = {};
const subOp = async (name, fn) => {
  const w = [];
  const c = [];
  for (let i = 0; i < Math.min(slots.length, 100); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn(i);
    w.push(performance.now() - t0);
    const d = process.cpuUsage(c0);
    c.push((d.user + d.system) / 1000);
  }
  sub[name] = { wall: w, cpu: c };
};
const runDirOf = (i) => path.join(frozen.runsDir, `${slots[i].pairId}-${slots[i].task}-${slots[i].variant}-a1`);
const firstTask = exp.tasks[0];
const variant = exp.variants[0];
await subOp('checkManifestFile (once per run)', (i) => checkManifestFile(path.join(runDirOf(i), 'manifest.json'), contexts));
await subOp('readTrace: agent.log, ajv per line (evaluate by hand)', (i) => readTrace(path.join(runDirOf(i), 'agent.log')));
await subOp('jsonDigest(manifest) (canonicalize)', async (i) => jsonDigest(JSON.parse(await fs.readFile(path.join(runDirOf(i), 'manifest.json'), 'utf8'))));
await subOp('listTree of a run folder (hash 7 files)', (i) => listTree(runDirOf(i)));
await subOp('fs.cp fixture + treeDigest', async (i) => {
  const dest = path.join(root, 'cp', String(i));
  await fs.cp(firstTask.workspaceDir, dest, { recursive: true, errorOnExist: true, force: false });
  await treeDigest(dest);
});
const session = (i) => ({ script: firstTask.spec.simulator, behaviour: exp.resolved.simulator.behaviour[variant.id], seed: i, model: exp.config.model.id, faults: exp.resolved.simulator.faults, latencyMs: 0, slowMs: 3000 });
await subOp('simEndpoint: register a sim session (in process)', async (i) => (await simEndpoint(session(i))).release());
await subOp('session + client + 1st createMessage', async (i) => {
  const endpoint = await simEndpoint(session(1000 + i));
  const client = createClient({ ...endpoint, maxRetries: 0, timeoutMs: 1500, onRetry: () => {} });
  await client.createMessage({ model: exp.config.model.id, max_tokens: 4096, system: variant.prompt, tools: toolsFor(firstTask.spec), messages: [{ role: 'user', content: firstTask.spec.instruction }] }, new AbortController().signal);
  await endpoint.release();
});

// Primitives, each N times in a scratch folder of the same file system.
const scratch = path.join(root, 'scratch');
await fs.mkdir(scratch);
const prim = {};
const N = 100;
const primitive = async (name, fn) => {
  const w = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await fn(i);
    w.push(performance.now() - t0);
  }
  prim[name] = w;
};
await primitive('fsync of a small file', async (i) => {
  const h = await fs.open(path.join(scratch, `f${i}`), 'w');
  await h.write('x'.repeat(512));
  await h.sync();
  await h.close();
});
await primitive('writeFileAtomic (2 fsyncs + rename)', (i) => writeFileAtomic(path.join(scratch, `a${i}.json`), '{"x":1}\n'));
await primitive('registry lock + unlock (no contention)', () => withRegistryLock(path.join(scratch, 'reg.jsonl'), async () => {}));
const retried = { runId: 'pair-0001-T-v-a1', slotIndex: 0, pairId: 'pair-0001', task: 'T', variant: 'v', cause: 'bench', nextAttempt: 2 };
await primitive('appendEntry (lock, tail read, fsync, csv row)', () => appendEntry(path.join(scratch, 'reg.jsonl'), 'bench-exp', 'retried', retried));
const claims = await openClaims(scratch);
await primitive('slot claim + release (claim file, no lock folder)', async (i) => { const release = await claims.tryClaim(`slot-${i}`); await release(); });
await claims.close();

const rows = stages.map((s) => ({ stage: s, 'median ms': round(median(wall[s])), 'p90 ms': round(quantile(wall[s], 0.9)), 'cpu ms (median)': round(median(cpu[s])) }));
const total = wall.init.map((_, i) => stages.reduce((a, s) => a + wall[s][i], 0));
const totalCpu = cpu.init.map((_, i) => stages.reduce((a, s) => a + cpu[s][i], 0));
rows.push({ stage: 'whole run', 'median ms': round(median(total)), 'p90 ms': round(quantile(total, 0.9)), 'cpu ms (median)': round(median(totalCpu)) });
console.log(`per-run stage cost, ${slots.length} runs one at a time (${JSON.stringify(machine())})`);
printTable(rows);
console.log('\nprimitives (median of 100)');
printTable(Object.entries(prim).map(([k, v]) => ({ primitive: k, 'median ms': round(median(v), 3), 'p90 ms': round(quantile(v, 0.9), 3) })));

console.log('\nsub-operations (median of 100 calls, one at a time)');
printTable(Object.entries(sub).map(([k, v]) => ({ operation: k, 'wall ms': round(median(v.wall), 3), 'cpu ms': round(median(v.cpu), 3) })));

await removeTree(root);
console.log(JSON.stringify({
  bench: 'stages', runs: slots.length, machine: machine(),
  stagesMs: Object.fromEntries(stages.map((s) => [s, { median: round(median(wall[s])), p90: round(quantile(wall[s], 0.9)), cpuMedian: round(median(cpu[s])) }])),
  runMedianMs: round(median(total)), runCpuMedianMs: round(median(totalCpu)),
  subOperationsMedianMs: Object.fromEntries(Object.entries(sub).map(([k, v]) => [k, { wall: round(median(v.wall), 3), cpu: round(median(v.cpu), 3) }])),
  primitivesMedianMs: Object.fromEntries(Object.entries(prim).map(([k, v]) => [k, round(median(v), 3)])),
}));
