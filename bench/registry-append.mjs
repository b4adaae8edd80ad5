// bench/registry-append.mjs (c): does appending to the registry stay O(1) as it grows?
//
// What: the per-call cost of `appendEntry` (dist/store/registry.js: registry lock, read the last
// entry from the file's tail, hash-chain the new one, append + fsync, registry.csv row) into a
// registry of 100 entries and into one of 10,000 entries; median and p90 over --appends calls each
// (default 200), and the ratio large/small of the medians (target <= 2).
// How: both registries start with a real `frozen` genesis entry written by appendEntry; the rest are
// `locked` entries (the most common kind, ~700 bytes a line), written in one go as valid chained
// lines whose digests come from the module's own entryDigest. Both are checked with
// verifyRegistryChain (dist/store/registry-verify.js) before and after. Timed appends alternate
// between the two registries (small, large, small, …) so drift in machine load hits both alike.
// Run: make build && node bench/registry-append.mjs [--appends 200] [--sizes 100,10000]
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { REPO, machine, makeTempRoot, median, printTable, quantile, removeTree, requireBuild, round } from './lib/common.mjs';

requireBuild();
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const APPENDS = Number(opt('--appends', 200));
const SIZES = opt('--sizes', '100,10000').split(',').map(Number);
const { appendEntry, entryDigest } = await import(path.join(REPO, 'dist', 'store', 'registry.js'));
const { verifyRegistryChain } = await import(path.join(REPO, 'dist', 'store', 'registry-verify.js'));

const EXP = 'bench-exp';
const hex = (i, salt) => (salt + i.toString(16)).padStart(64, '0').slice(-64);
const lockedData = (i) => ({
  runId: `pair-${String(i).padStart(4, '0')}-BENCH-001-goal-centric-a1`, slotIndex: i, pairId: `pair-${String(i).padStart(4, '0')}`,
  variant: 'goal-centric', task: 'BENCH-001', attempt: 1,
  rootDigest: { sha256: hex(i, 'a') }, lockDigest: { sha256: hex(i, 'b') }, manifestDigest: { sha256: hex(i, 'c') }, scorecardDigest: { sha256: hex(i, 'd') },
  success: true, stopReason: 'end_turn', adhoc: false,
});

async function buildRegistry(dir, size) {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'registry.jsonl');
  let prev = await appendEntry(file, EXP, 'frozen', {
    freezeDigest: { sha256: hex(1, 'e') }, scheduleDigest: { sha256: hex(2, 'e') }, configDigest: { sha256: hex(3, 'e') },
    preregistrationDigest: { sha256: hex(4, 'e') }, provider: 'sim', harnessVersion: '0.1.0', slots: size,
  });
  const lines = [];
  const at = Date.parse(prev.at);
  for (let seq = 1; seq < size; seq++) {
    const body = { schemaVersion: 1, seq, at: new Date(at + seq).toISOString(), type: 'locked', experiment: EXP, prev: prev.digest, data: lockedData(seq) };
    prev = { ...body, digest: entryDigest({ ...body, digest: undefined }) };
    lines.push(JSON.stringify(prev));
  }
  if (lines.length > 0) await fs.appendFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function checkChain(file, expected) {
  const { entries, problems } = await verifyRegistryChain(file);
  if (problems.length > 0 || entries.length !== expected) throw new Error(`${file}: chain does not verify (${entries.length} entries): ${JSON.stringify(problems.slice(0, 3))}`);
}

const root = await makeTempRoot('harness-bench-registry-');
const registries = [];
for (const size of SIZES) {
  const file = await buildRegistry(path.join(root, `r${size}`), size);
  await checkChain(file, size);
  const { size: bytes } = await fs.stat(file);
  registries.push({ size, file, bytes, times: [] });
}
for (let i = 0; i < 5; i++) for (const r of registries) await appendEntry(r.file, EXP, 'locked', lockedData(r.size + i)); // warm-up
for (let i = 0; i < APPENDS; i++) {
  for (const r of registries) {
    const t0 = performance.now();
    await appendEntry(r.file, EXP, 'locked', lockedData(r.size + 5 + i));
    r.times.push(performance.now() - t0);
  }
}
for (const r of registries) await checkChain(r.file, r.size + 5 + APPENDS);
await removeTree(root);

const small = registries[0];
const large = registries.at(-1);
const ratio = median(large.times) / median(small.times);
console.log(`appendEntry, ${APPENDS} appends per registry, alternating (${JSON.stringify(machine())})`);
printTable(registries.map((r) => ({ entries: r.size, 'file MB': round(r.bytes / 1048576, 2), 'median ms': round(median(r.times), 3), 'p90 ms': round(quantile(r.times, 0.9), 3), 'min ms': round(Math.min(...r.times), 3) })));
console.log(`\n${large.size} vs ${small.size} entries (medians): ${round(ratio)}x  (target <= 2: ${ratio <= 2 ? 'met' : 'MISSED'})`);
console.log(JSON.stringify({
  bench: 'registry-append', appends: APPENDS, machine: machine(),
  results: registries.map((r) => ({ entries: r.size, bytes: r.bytes, medianMs: round(median(r.times), 3), p90Ms: round(quantile(r.times, 0.9), 3), minMs: round(Math.min(...r.times), 3) })),
  ratio: round(ratio, 3), target: 2, met: ratio <= 2,
}));
