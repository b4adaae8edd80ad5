import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from '../test-support/cli.js';

// harness power: pairs for a target power (or power at n pairs) for the paired binary primary
// outcome (Connor 1987) and a paired continuous metric (as R's power.t.test, type = "paired").

// Normal quantiles, as R's qnorm: z_{0.975}, z_{0.995}, z_{0.8}, z_{0.9}.
const Z975 = 1.959963984540054;
const Z995 = 2.5758293035489004;
const Z80 = 0.8416212335729143;
const Z90 = 1.2815515655446004;

/** Connor (1987): n = (z_a·√ψ + z_b·√(ψ − δ²))² / δ², ψ = p10 + p01, δ = p10 − p01. */
const connor = (p10: number, p01: number, za: number, zb: number) => {
  const psi = p10 + p01, delta = p10 - p01;
  return (za * Math.sqrt(psi) + zb * Math.sqrt(psi - delta * delta)) ** 2 / (delta * delta);
};

type Power = { design: string; alpha: number; pairs: number | null; n: number; power: number };

let cwd: string;
beforeAll(async () => { cwd = await mkdtemp(path.join(tmpdir(), 'harness-power-')); });
afterAll(() => rm(cwd, { recursive: true, force: true }));

const power = async (args: string[]) => {
  const r = await harness(['power', ...args], { cwd });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout;
};
const powerJson = async (args: string[]) => JSON.parse(await power([...args, '--json'])) as Power;

describe.concurrent('harness power', () => {
  it('paired continuous: --delta 1 --sd 2 --power 0.9 needs 44 pairs, n as R gives it (43.9955247057433)', async () => {
    expect(await power(['--delta', '1', '--sd', '2', '--power', '0.9'])).toBe('paired-continuous (paired t, as R power.t.test): 44 pairs (n = 43.9955) for power 0.9 at alpha 0.05\n');
    const j = await powerJson(['--delta', '1', '--sd', '2', '--power', '0.9']);
    expect(j).toMatchObject({ design: 'paired-continuous (paired t, as R power.t.test)', alpha: 0.05, pairs: 44, power: 0.9 });
    expect(j.n).toBeCloseTo(43.9955247057433, 6);
    // And back: the power at that n is the target.
    const back = await powerJson(['--delta', '1', '--sd', '2', '--n', String(j.n)]);
    expect(back.pairs).toBeNull();
    expect(back.power).toBeCloseTo(0.9, 4);
  });

  it('paired binary: --p10 0.25 --p01 0.08 needs ceil(Connor n) pairs at the default power 0.8', async () => {
    const n = connor(0.25, 0.08, Z975, Z80);
    const j = await powerJson(['--p10', '0.25', '--p01', '0.08']);
    expect(j).toMatchObject({ design: 'paired-binary (McNemar, Connor 1987)', alpha: 0.05, power: 0.8, pairs: Math.ceil(n) });
    expect(j.n).toBeCloseTo(n, 9);
    expect(await power(['--p10', '0.25', '--p01', '0.08'])).toBe(`paired-binary (McNemar, Connor 1987): ${Math.ceil(n)} pairs (n = ${n.toFixed(4)}) for power 0.8 at alpha 0.05\n`);
    // Another power and alpha; the direction of the effect does not matter.
    const n2 = connor(0.25, 0.08, Z995, Z90);
    const j2 = await powerJson(['--p10', '0.08', '--p01', '0.25', '--power', '0.9', '--alpha', '0.01']);
    expect(j2).toMatchObject({ pairs: Math.ceil(n2), alpha: 0.01, power: 0.9 });
    expect(j2.n).toBeCloseTo(n2, 9);
  });

  it('paired binary, power at n pairs: inverts the sample size', async () => {
    const n = connor(0.25, 0.08, Z975, Z80);
    const j = await powerJson(['--p10', '0.25', '--p01', '0.08', '--n', String(n)]);
    expect(j.pairs).toBeNull();
    expect(j.power).toBeCloseTo(0.8, 9);
    expect(await power(['--p10', '0.25', '--p01', '0.08', '--n', '90'])).toMatch(/^paired-binary \(McNemar, Connor 1987\): power 0\.8\d{3} with 90 pairs at alpha 0\.05\n$/);
  });

  const bad: [string, string[], RegExp][] = [
    ['both designs', ['--p10', '0.25', '--p01', '0.08', '--delta', '1', '--sd', '2'], /give either --p10 and --p01 .* or --delta and --sd/],
    ['no design', [], /give either --p10 and --p01/],
    ['p10 without p01', ['--p10', '0.25'], /the paired binary design needs both --p10 and --p01/],
    ['delta without sd', ['--delta', '1'], /the paired continuous design needs both --delta and --sd/],
    ['--n and --power', ['--p10', '0.25', '--p01', '0.08', '--n', '90', '--power', '0.8'], /give --n \(to get power\) or --power \(to get n\), not both/],
    ['no effect', ['--p10', '0.1', '--p01', '0.1'], /p10 = p01: no effect to detect/],
    ['discordance above 1', ['--p10', '0.7', '--p01', '0.5'], /p10 \+ p01 <= 1/],
    ['not a number', ['--p10', 'abc', '--p01', '0.1'], /--p10 must be a number/],
    ['sd zero', ['--delta', '1', '--sd', '0'], /sd must be positive, got 0/],
    ['delta zero', ['--delta', '0', '--sd', '2'], /delta must be a non-zero number/],
    ['alpha out of range', ['--p10', '0.25', '--p01', '0.08', '--alpha', '1.5'], /alpha must be strictly between 0 and 1, got 1\.5/],
    ['power of 1', ['--delta', '1', '--sd', '2', '--power', '1'], /power must be strictly between 0 and 1, got 1/],
    ['negative n', ['--delta', '1', '--sd', '2', '--n', '-3'], /n must be positive, got -3/],
  ];
  for (const [name, args, message] of bad) {
    it(`bad input (${name}): exit 2 with the reason, nothing on stdout`, async () => {
      const r = await harness(['power', ...args], { cwd });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    });
  }
});
