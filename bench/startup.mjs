// bench/startup.mjs: how long the CLI takes to start.
//
// What: wall time of `harness --version` (node dist/bin/harness.cjs --version) against a bare
// `node -e 0`, and, for information, `harness --help`; median and p90 of --runs runs each
// (default 30) and the ratio harness/node of the medians (target <= 1.5).
// How: each command is spawned with spawnSync from this script and timed with hrtime around the
// call (the spawn overhead is the same for every command). The commands alternate run by run
// (node, --version, --help, node, …) so drift in machine load hits all of them alike; 3 untimed
// warm-up rounds fill the file cache first. Exit codes and outputs are checked.
// Run: make build && node bench/startup.mjs [--runs 30]
import { spawnSync } from 'node:child_process';
import { CLI, machine, median, printTable, quantile, requireBuild, round } from './lib/common.mjs';

requireBuild();
const args = process.argv.slice(2);
const RUNS = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 30);
const commands = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'harness --version': [process.execPath, [CLI, '--version']],
  'harness --help': [process.execPath, [CLI, '--help']],
};
const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));

function once(name) {
  const [cmd, argv] = commands[name];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
  if (name === 'harness --version' && !/^\d+\.\d+\.\d+/.test(r.stdout)) throw new Error(`unexpected --version output: ${r.stdout}`);
  if (name === 'harness --help' && !/Usage: harness/.test(r.stdout)) throw new Error('unexpected --help output');
  return ms;
}

for (let i = 0; i < 3; i++) for (const name of Object.keys(commands)) once(name);
for (let i = 0; i < RUNS; i++) for (const name of Object.keys(commands)) times[name].push(once(name));

const stat = (v) => ({ median: median(v), p90: quantile(v, 0.9), min: Math.min(...v) });
const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stat(v)]));
const ratio = s['harness --version'].median / s['node -e 0'].median;
const helpRatio = s['harness --help'].median / s['node -e 0'].median;
console.log(`startup, ${RUNS} runs each, alternating (${JSON.stringify(machine())})`);
printTable(Object.entries(s).map(([k, v]) => ({ command: k, 'median ms': round(v.median, 1), 'p90 ms': round(v.p90, 1), 'min ms': round(v.min, 1), 'x node': round(v.median / s['node -e 0'].median) })));
console.log(`\nharness --version / node -e 0 (medians): ${round(ratio)}  (target <= 1.5: ${ratio <= 1.5 ? 'met' : 'MISSED'})`);
console.log(JSON.stringify({
  bench: 'startup', runs: RUNS, machine: machine(),
  ms: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { median: round(v.median, 1), p90: round(v.p90, 1), min: round(v.min, 1) }])),
  ratio: round(ratio, 3), helpRatio: round(helpRatio, 3), target: 1.5, met: ratio <= 1.5,
}));
