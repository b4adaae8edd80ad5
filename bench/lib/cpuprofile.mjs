// Aggregates V8 .cpuprofile files (node --cpu-prof) by self time: per function, per module
// (dist/<dir>/<file>, node_modules/<package>, node:internal, (native)), and the inclusive time of
// chosen functions. Usage: node bench/lib/cpuprofile.mjs <file-or-dir> [top=25]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function loadProfiles(target) {
  const files = statSync(target).isDirectory()
    ? readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(target, f))
    : [target];
  return files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
}

function moduleOf(url) {
  if (url === '') return '(native/vm)';
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? `node:internal/${url.split('/')[1] ?? ''}` : url;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url;
}

/** Self time per function and per module, and total sampled time, in ms. */
export function aggregate(profiles) {
  const byFn = new Map();
  const byModule = new Map();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    const selfUs = new Map();
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i + 1] ?? 0;
      selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
    }
    for (const [id, us] of selfUs) {
      const n = nodes.get(id);
      const cf = n.callFrame;
      total += us;
      if (cf.functionName === '(idle)') { idle += us; continue; }
      if (cf.functionName === '(garbage collector)') gc += us;
      const mod = moduleOf(cf.url);
      const key = `${cf.functionName || '(anonymous)'}  ${mod}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
      byFn.set(key, (byFn.get(key) ?? 0) + us);
      byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    }
  }
  const ms = (m) => [...m].map(([k, v]) => [k, v / 1000]).sort((a, b) => b[1] - a[1]);
  return { totalMs: total / 1000, idleMs: idle / 1000, gcMs: gc / 1000, functions: ms(byFn), modules: ms(byModule) };
}

/** Inclusive time of every function whose name matches, summed over call sites (not double-counted within a stack). */
export function inclusive(profiles, names) {
  const out = Object.fromEntries(names.map((n) => [n, 0]));
  for (const p of profiles) {
    const parent = new Map();
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i + 1] ?? 0;
      const seen = new Set();
      for (let id = p.samples[i]; id !== undefined; id = parent.get(id)) {
        const name = nodes.get(id).callFrame.functionName;
        if (name in out && !seen.has(name)) { seen.add(name); out[name] += dt; }
      }
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v / 1000]));
}

/**
 * Self time charged to the innermost harness (dist/) frame on each sample's stack, so library and
 * runtime time counts against the harness code that called it; samples with no harness frame
 * (e.g. an SDK promise resuming) are charged to the leaf's module in brackets.
 */
export function byHarnessCaller(profiles) {
  return sortedSeconds(chargeSamples(profiles, (harnessFrame, leaf) => (harnessFrame
    ? `${harnessFrame.functionName || '(anonymous)'}  ${moduleOf(harnessFrame.url)}`
    : `[${leaf.functionName.startsWith('(') ? leaf.functionName : moduleOf(leaf.url)}]`)));
}

// Sample time per key, where the key comes from the innermost harness (dist/) frame on the
// sample's stack (or undefined) and the leaf frame; idle samples are left out. Shared by the
// per-caller and per-area views.
function chargeSamples(profiles, keyFor) {
  const out = new Map();
  for (const p of profiles) {
    const parent = new Map();
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const memo = new Map();
    const keyOf = (leaf) => {
      if (memo.has(leaf)) return memo.get(leaf);
      let harnessFrame;
      for (let id = leaf; id !== undefined && harnessFrame === undefined; id = parent.get(id)) {
        const cf = nodes.get(id).callFrame;
        if (cf.url.includes('/dist/')) harnessFrame = cf;
      }
      const leafCf = nodes.get(leaf).callFrame;
      const key = leafCf.functionName === '(idle)' ? '(idle)' : keyFor(harnessFrame, leafCf);
      memo.set(leaf, key);
      return key;
    };
    for (let i = 0; i < p.samples.length; i++) {
      const k = keyOf(p.samples[i]);
      out.set(k, (out.get(k) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
    }
  }
  out.delete('(idle)');
  return out;
}

const sortedSeconds = (out) => [...out].map(([k, v]) => [k, v / 1000]).sort((a, b) => b[1] - a[1]);

// Areas of the harness, by the dist/ file of the innermost harness frame (first match wins).
const AREAS = [
  [/dist\/store\/atomic-write\.js/, 'atomic writes (temp file, fsync, rename, dir fsync)'],
  [/dist\/store\/(registry|record-files)\.js|dist\/pipeline\/claims\.js/, 'registry appends + lock files'],
  [/dist\/store\/(file-tree|run-lock)\.js/, 'tree listing + hashing, lock.json, chmod'],
  [/dist\/core\/(canonical-json|digest)\.js/, 'canonical JSON + sha256 digests'],
  [/dist\/documents\//, 'document loading + schema validation'],
  [/dist\/(agent\/trace|store\/trace-file)\.js/, 'trace writing + reading'],
  [/dist\/(providers|agent\/loop)/, 'agent loop: SDK client + simulator'],
  [/dist\/agent\//, 'agent tools + workspace paths'],
  [/dist\/evaluation\//, 'checks + scorecard'],
  [/dist\//, 'other harness code (pipeline, commands, cli)'],
];
// Samples without a harness frame, by the leaf's module.
const LEAF_AREAS = [
  [/^\(garbage collector\)$/, 'garbage collection'],
  [/^node:internal\/(deps|webstreams|url|abort_controller|event_target)|^npm:@anthropic-ai|^node:_http|^node:net|^node:internal\/(http|stream_base)/, 'agent loop: SDK client + simulator'],
  [/^node:internal\/(fs|streams)|^node:fs|^npm:graceful-fs|^(read|write|writev|writeBuffer|writeString|close|open|openFileHandle|stat|fstat|lstat|chmod|mkdir|rmdir|rename|fsync|readdir|copyFile|link|unlink|utimes|realpath|readlink|FSReqCallback|internalModuleStat|internalModuleReadJSON)$/, 'fs calls + callbacks (no harness frame)'],
  [/^node:internal\/modules|^(ModuleWrap|compileFunction|evaluate|instantiate|getModuleRequests)$/, 'module loading + compiling'],
  [/^\(program\)$/, '(program): V8/native work outside JS'],
];

/** Main-thread time per area of the harness (see AREAS), idle excluded. */
export function byArea(profiles) {
  const out = chargeSamples(profiles, (harnessFrame, leaf) => {
    if (harnessFrame) return AREAS.find(([re]) => re.test(harnessFrame.url))[1];
    const leafKey = leaf.url === '' ? leaf.functionName : moduleOf(leaf.url);
    return LEAF_AREAS.find(([re]) => re.test(leafKey))?.[1] ?? `other: ${leafKey}`;
  });
  const total = [...out.values()].reduce((a, b) => a + b, 0);
  let rest = 0;
  for (const [k, v] of out) if (k.startsWith('other: ') && v < total / 100) { rest += v; out.delete(k); }
  if (rest > 0) out.set('other runtime (each < 1%)', rest);
  return sortedSeconds(out);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  const top = Number(process.argv[3] ?? 25);
  const profiles = loadProfiles(target);
  const a = aggregate(profiles);
  const busy = a.totalMs - a.idleMs;
  console.log(`sampled ${(a.totalMs / 1000).toFixed(1)} s: on-CPU (JS thread) ${(busy / 1000).toFixed(1)} s, idle ${(a.idleMs / 1000).toFixed(1)} s, GC ${(a.gcMs / 1000).toFixed(1)} s`);
  console.log('\nself time by module');
  for (const [k, v] of a.modules.slice(0, top)) console.log(`${v.toFixed(0).padStart(8)} ms ${(100 * v / busy).toFixed(1).padStart(5)}%  ${k}`);
  console.log('\nself time by function');
  for (const [k, v] of a.functions.slice(0, top)) console.log(`${v.toFixed(0).padStart(8)} ms ${(100 * v / busy).toFixed(1).padStart(5)}%  ${k}`);
  console.log('\nmain-thread time by area');
  for (const [k, v] of byArea(profiles)) console.log(`${v.toFixed(0).padStart(8)} ms ${(100 * v / busy).toFixed(1).padStart(5)}%  ${k}`);
  console.log('\ntime charged to the innermost harness function on the stack');
  for (const [k, v] of byHarnessCaller(profiles).slice(0, top)) console.log(`${v.toFixed(0).padStart(8)} ms ${(100 * v / busy).toFixed(1).padStart(5)}%  ${k}`);
  const names = (process.env.INCLUSIVE ?? '').split(',').filter(Boolean);
  if (names.length > 0) {
    console.log('\ninclusive time');
    for (const [k, v] of Object.entries(inclusive(profiles, names))) console.log(`${v.toFixed(0).padStart(8)} ms ${(100 * v / busy).toFixed(1).padStart(5)}%  ${k}`);
  }
}
