import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from '../test-support/cli.js';

// harness power: pairs for a target power (or power at n pairs) for the paired binary primary
// outcome (the exact McNemar test analyze runs, with Connor 1987's approximation beside it) and a
// paired continuous metric (as R's power.t.test, type = "paired"). The exact figures are R's
// (harness/analysis/stats/fixtures/make-reference.R: mcnemar_exact_n and mcnemar_exact_power).

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

type Power = { design: string; alpha: number; sidedness: string; pairs: number | null; n: number; power: number; achievedPower: number; connor: { n: number; power: number } | null };

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
    expect(await power(['--delta', '1', '--sd', '2', '--power', '0.9'])).toBe('paired-continuous (paired t, as R power.t.test): 44 pairs (n = 43.9955) for power 0.9 at alpha 0.05, two-sided\n');
    const j = await powerJson(['--delta', '1', '--sd', '2', '--power', '0.9']);
    expect(j).toMatchObject({ design: 'paired-continuous (paired t, as R power.t.test)', alpha: 0.05, pairs: 44, power: 0.9 });
    expect(j.n).toBeCloseTo(43.9955247057433, 6);
    // And back: the power at that n is the target.
    const back = await powerJson(['--delta', '1', '--sd', '2', '--n', String(j.n)]);
    expect(back.pairs).toBeNull();
    expect(back.power).toBeCloseTo(0.9, 4);
  });

  it('paired binary: --p10 0.25 --p01 0.08 needs 96 pairs for the exact test at the default power 0.8, where Connor says 88', async () => {
    const n = connor(0.25, 0.08, Z975, Z80);
    const j = await powerJson(['--p10', '0.25', '--p01', '0.08']);
    expect(j).toMatchObject({ design: 'paired-binary (exact McNemar, the test analyze runs)', alpha: 0.05, power: 0.8, pairs: 96, n: 96 });
    expect(j.achievedPower).toBeCloseTo(0.8019284491058695, 9);
    expect(j.connor!.n).toBeCloseTo(n, 9);
    expect(await power(['--p10', '0.25', '--p01', '0.08'])).toBe([
      'paired-binary (exact McNemar, the test analyze runs): 96 pairs for power 0.8 at alpha 0.05, two-sided (power 0.8019; the smallest N that reaches it: exact power is not always monotone in N)',
      `Connor (1987) normal approximation, which most tools use: ${Math.ceil(n)} pairs (n = ${n.toFixed(4)})`,
      '',
    ].join('\n'));
    // Another power and alpha; the direction of the effect does not matter.
    const j2 = await powerJson(['--p10', '0.2', '--p01', '0.05', '--power', '0.9', '--alpha', '0.01']);
    expect(j2).toMatchObject({ pairs: 161, alpha: 0.01, power: 0.9 });
    expect(j2.connor!.n).toBeCloseTo(connor(0.2, 0.05, Z995, Z90), 9);
  });

  it('one-sided, as the pre-registration may register it: 76 pairs for a greater test where two-sided needs 96; a test looking the other way is refused', async () => {
    const j = await powerJson(['--p10', '0.25', '--p01', '0.08', '--sidedness', 'greater']);
    expect(j).toMatchObject({ sidedness: 'greater', pairs: 76 });
    expect(j.achievedPower).toBeCloseTo(0.8013137948823211, 9);
    expect(j.connor!.n).toBeCloseTo(68.47229093407928, 9);
    const t = await powerJson(['--delta', '-0.3', '--sd', '1', '--sidedness', 'less']);
    expect(t.n).toBeCloseTo(70.06793453817951, 6);
    const r = await harness(['power', '--p10', '0.25', '--p01', '0.08', '--sidedness', 'less'], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('hint: swap --p10 and --p01, or use --sidedness greater');
  });

  it('paired binary, power at n pairs: the exact power, and Connor\'s beside it', async () => {
    const j = await powerJson(['--p10', '0.25', '--p01', '0.08', '--n', '90']);
    expect(j.pairs).toBeNull();
    expect(j.power).toBeCloseTo(0.7713327516202291, 9);
    expect(j.connor!.power).toBeGreaterThan(j.power);
    expect(await power(['--p10', '0.25', '--p01', '0.08', '--n', '90'])).toMatch(/^paired-binary \(exact McNemar, the test analyze runs\): power 0\.7713 with 90 pairs at alpha 0\.05, two-sided\nConnor \(1987\) normal approximation, which most tools use: power 0\.8\d{3}\n$/);
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
    ['fractional n for the exact test', ['--p10', '0.25', '--p01', '0.08', '--n', '90.5'], /--n 90\.5: the exact test needs a whole number of pairs/],
    ['power at most alpha/2', ['--p10', '0.3', '--p01', '0.29', '--power', '0.01'], /power 0\.01 is at most alpha\/2 = 0\.025/],
    ['an effect too small to search', ['--p10', '0.101', '--p01', '0.1'], /more than 20,000 pairs would be needed/],
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
