// bench/alternatives.mjs: measured costs behind the optimizations taken from the profiles.
//
// What: for each hot spot found by bench/stages.mjs and bench/full-runs.mjs --profile, the cost of
// the first way of doing it next to the alternative (same result); the harness does the second
// one now unless an item says otherwise:
//  0. one metadata call: fs.promises.stat (a libuv thread-pool round trip) vs statSync (taken for
//     reads and chmod of small run files; creating files stays asynchronous, because a create can
//     wait on the ext4 journal while other runs fsync);
//  1. hashing a small file: createReadStream + hash vs readFile + hash (store/file-tree.js);
//  2. copying a one-file fixture: fs.cp(recursive) vs copyFile per pinned file (store/atomic-write.js);
//  3. an exclusive section: proper-lockfile lock/unlock vs an in-process promise queue (the registry
//     queues in process first; the file lock stays, for other processes);
//  4. N registry appends, each fsynced alone vs one write + one fsync for the batch (group commit);
//  5. listing + hashing a run folder (7 small files): an async walk vs a sync one;
//  6. registering a simulator session: HTTP POST to a simulator server (what HARNESS_SIM_URL does)
//     vs the in-process Simulator.register;
//  7. ajv validation of a manifest vs reusing the validated object (run-slot.js validates once
//     and hands the run on; validation itself is cheap);
//  8. writing 16 files of 2 kB at once (concurrent runs): fs.promises.writeFile vs the promisified
//     callback fs.writeFile (not taken: within ~5 % of CPU; store/atomic-write.js keeps fs.promises).
// How: the two ways run alternately, --n times each (default 200), in a
// temp dir, one call at a time; wall and CPU (process.cpuUsage, incl. libuv threads), medians.
// Run: make build && node bench/alternatives.mjs [--n 200]
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, readdirSync, readFileSync, statSync, writeFile } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO, machine, makeTempRoot, median, printTable, removeTree, requireBuild, round } from './lib/common.mjs';

requireBuild();
const args = process.argv.slice(2);
const N = Number(args.includes('--n') ? args[args.indexOf('--n') + 1] : 200);
const lockfile = createRequire(path.join(REPO, 'package.json'))('proper-lockfile');
const dist = (p) => import(path.join(REPO, 'dist', p));
const { schemaProblems } = await dist('documents/schemas.js');
const { createSimSession, releaseSimSession, Simulator, startSimServer } = await dist('providers/sim/index.js');
const root = await makeTempRoot('harness-bench-alt-');

// Runs `now` and `alt` alternately, N times each, so drift in machine load hits both alike.
async function timeBoth(fnA, fnB) {
  const res = [{ wall: [], cpu: [] }, { wall: [], cpu: [] }];
  for (let i = 0; i < N; i++) {
    for (const [k, fn] of [fnA, fnB].entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await fn(i);
      res[k].wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      res[k].cpu.push((c.user + c.system) / 1000);
    }
  }
  return res.map((r) => ({ wall: median(r.wall), cpu: median(r.cpu) }));
}

const rows = [];
const compare = async (what, now, alt) => {
  const [a, b] = await timeBoth(now.fn, alt.fn);
  rows.push({ what, now: now.name, 'now wall ms': round(a.wall, 3), 'now cpu ms': round(a.cpu, 3), alternative: alt.name, 'alt wall ms': round(b.wall, 3), 'alt cpu ms': round(b.cpu, 3), 'speed-up (wall)': round(a.wall / b.wall, 1) });
};

// 0. one file-system call: a thread-pool round trip (fs.promises) vs a direct syscall (sync)
const probe = path.join(root, 'probe.txt');
await fs.writeFile(probe, 'x');
await compare('stat one file', { name: 'await fs.promises.stat', fn: () => fs.stat(probe) }, { name: 'statSync', fn: () => statSync(probe) });

// 1. hashing small files (a run folder holds 7-9 files of 0.3-3 kB)
const small = path.join(root, 'small.json');
await fs.writeFile(small, JSON.stringify({ x: 'y'.repeat(2000) }));
await compare('sha256 of a 2 kB file',
  { name: 'createReadStream', fn: async () => { const h = createHash('sha256'); for await (const c of createReadStream(small)) h.update(c); h.digest('hex'); } },
  { name: 'readFile', fn: async () => createHash('sha256').update(await fs.readFile(small)).digest('hex') });

// 2. copying the fixture
const fixture = path.join(root, 'fixture');
await fs.mkdir(fixture);
await fs.writeFile(path.join(fixture, 'README.md'), 'Fixture.\n');
async function copyTree(src, dest) {
  await fs.mkdir(dest);
  for (const e of await fs.readdir(src, { withFileTypes: true })) {
    if (e.isDirectory()) await copyTree(path.join(src, e.name), path.join(dest, e.name));
    else if (e.isFile()) await fs.copyFile(path.join(src, e.name), path.join(dest, e.name), fs.constants.COPYFILE_EXCL);
  }
}
await compare('copy a one-file fixture',
  { name: 'fs.cp recursive', fn: (i) => fs.cp(fixture, path.join(root, `cp-${i}`), { recursive: true, errorOnExist: true, force: false }) },
  { name: 'readdir + copyFile', fn: (i) => copyTree(fixture, path.join(root, `walk-${i}`)) });

// 3. an exclusive section
const reg = path.join(root, 'registry.jsonl');
await fs.writeFile(reg, '');
let tail = Promise.resolve();
const inProcess = (fn) => { const next = tail.then(fn); tail = next.catch(() => {}); return next; };
await compare('enter + leave an exclusive section',
  { name: 'proper-lockfile', fn: async () => { const release = await lockfile.lock(reg, { realpath: false, stale: 30000, update: 5000, retries: { retries: 200, minTimeout: 5, maxTimeout: 250, factor: 1.5 } }); await release(); } },
  { name: 'in-process queue', fn: () => inProcess(async () => {}) });

// 4. appends: one fsync each vs one per batch of 8
const line = `${JSON.stringify({ schemaVersion: 1, seq: 1, type: 'locked', data: { runId: 'x'.repeat(60) }, digest: { sha256: '0'.repeat(64) } })}\n`;
const appendEach = async () => { for (let k = 0; k < 8; k++) { const h = await fs.open(reg, 'a'); await h.write(line); await h.sync(); await h.close(); } };
const appendBatch = async () => { const h = await fs.open(reg, 'a'); await h.write(line.repeat(8)); await h.sync(); await h.close(); };
await compare('append 8 registry lines', { name: '8 x (open, write, fsync)', fn: appendEach }, { name: '1 x (open, write 8, fsync)', fn: appendBatch });

// 5. hashing a run folder: the async walk of store/file-tree.js (readdir, then stat + read per file,
// each an fs.promises call) vs a synchronous walk (tiny files: each sync call is one syscall, each
// async one a thread-pool round trip plus promise machinery)
const runDir = path.join(root, 'run');
await fs.mkdir(path.join(runDir, 'outputs'), { recursive: true });
for (const [name, bytes] of [['manifest.json', 2300], ['agent.log', 2500], ['evaluation.log', 450], ['scorecard.json', 900], ['outputs/README.md', 40], ['outputs/out.txt', 10], ['SHA256SUMS', 480]]) await fs.writeFile(path.join(runDir, name), 'x'.repeat(bytes));
async function listTreeAsync(dir, rel = '', out = []) {
  for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) await listTreeAsync(dir, r, out);
    else if (e.isFile()) { const full = path.join(dir, r); const st = await fs.stat(full); out.push({ path: r, size: st.size, sha256: createHash('sha256').update(await fs.readFile(full)).digest('hex'), mode: st.mode & 0o777 }); }
  }
  return out;
}
function listTreeSync(dir, rel = '', out = []) {
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) listTreeSync(dir, r, out);
    else if (e.isFile()) { const full = path.join(dir, r); const st = statSync(full); out.push({ path: r, size: st.size, sha256: createHash('sha256').update(readFileSync(full)).digest('hex'), mode: st.mode & 0o777 }); }
  }
  return out;
}
await compare('list + hash a run folder (7 small files)', { name: 'async walk (before)', fn: () => listTreeAsync(runDir) }, { name: 'sync walk + readFileSync', fn: () => listTreeSync(runDir) });

// 6. registering a simulator session: HTTP POST to the in-process server vs calling it directly
const spec = { script: { steps: [{ say: 'Writing.', call: { tool: 'write_file', input: { path: 'out.txt', content: 'x\n' } } }], final: 'Done.' }, behaviour: { skip: 0, mistake: 0, clarify: 0, giveUp: 0, wander: 0, verbosity: 1 }, model: 'claude-sonnet-5-5', faults: { rate: 0, kinds: ['rate_limit'] }, latencyMs: 0, slowMs: 3000 };
const server = await startSimServer();
const simulator = new Simulator();
await compare('register + release a simulator session',
  { name: 'HTTP POST + DELETE', fn: async (i) => releaseSimSession(server.url, await createSimSession(server.url, { ...spec, seed: i })) },
  { name: 'Simulator.register + release', fn: (i) => simulator.release(simulator.register({ ...spec, seed: i })) });
await server.close();

// 7. re-validating a manifest
const manifestDir = path.join(REPO, 'schemas', 'examples', 'manifest');
const manifest = JSON.parse(await fs.readFile(path.join(manifestDir, (await fs.readdir(manifestDir)).find((f) => f.startsWith('valid'))), 'utf8'));
if (schemaProblems('manifest', manifest).length > 0) throw new Error('the example manifest does not validate');
await compare('validate a manifest (ajv)', { name: 'schemaProblems(manifest)', fn: () => schemaProblems('manifest', manifest) }, { name: 'reuse validated object', fn: () => manifest });

// 8. writing a small file
const writeCb = promisify(writeFile);
const body = 'x'.repeat(2000);
const sixteen = (write) => (i) => Promise.all(Array.from({ length: 16 }, (_, k) => write(`${i}-${k}`)));
await compare('write 16 files of 2 kB at once', { name: 'fs.promises.writeFile', fn: sixteen((n) => fs.writeFile(path.join(root, `p-${n}`), body, { flag: 'wx' })) },
  { name: 'promisify(fs.writeFile)', fn: sixteen((n) => writeCb(path.join(root, `c-${n}`), body, { flag: 'wx' })) });

await removeTree(root);
console.log(`alternatives, median of ${N} calls each (${JSON.stringify(machine())})`);
printTable(rows);
console.log(JSON.stringify({ bench: 'alternatives', n: N, machine: machine(), results: rows }));
