import { existsSync } from 'node:fs';
import path from 'node:path';
import { digestOf, type Digest } from '../core/digest.js';
import { inputError, type Problem } from '../core/errors.js';
import type { ExperimentConfig, Preregistration } from '../core/types/index.js';
import { locateProblems, parseYaml, readText, type LoadedDocument } from '../documents/load.js';
import { documentProblems } from '../documents/validate.js';
import { isExecutableFile } from '../sandbox/executable.js';
import { treeDigest } from '../store/file-tree.js';
import { asProblems, loadTask, type LoadedTask } from './load-task.js';
import { locateExperiment, relativeInside, relativeToCwd, type ExperimentLocation, type LocateOptions } from './locate.js';
import { resolveConfig, type ResolvedConfig } from './resolve-config.js';

interface LoadedVariant {
  id: string;
  file: string;
  prompt: string;
  digest: Digest;
}

export interface LoadedExperiment {
  location: ExperimentLocation;
  config: ExperimentConfig;
  resolved: ResolvedConfig;
  configDigest: Digest;
  preregistration: Preregistration;
  preregistrationFile: string;
  preregistrationDigest: Digest;
  variants: LoadedVariant[];
  tasks: LoadedTask[];
  /**
   * The external agent's folder (provider command with a program inside the experiment), and why
   * its program could not be started, which matters only to runs that start it (requireRunnableAgent).
   */
  agent: { dir: string; digest: Digest; notRunnable: Problem | undefined } | undefined;
  /**
   * What a new freeze refuses but a set frozen before harness checked it is still read with (its
   * inputs cannot change without a deviation): an empty fixture, a simulator step calling a tool
   * the task does not offer, a minimum N above the planned N, a log-ratio metric that is not a
   * secondary metric. Located like every other problem.
   */
  freezeOnly: Problem[];
}

// Everything an experiment is made of, validated together: one error lists every problem found
// (file, line, JSON path), so nothing downstream has to re-check its inputs.
export async function loadExperiment(nameOrPath: string, options: LocateOptions = {}): Promise<LoadedExperiment> {
  const location = locateExperiment(nameOrPath, options);
  const problems: Problem[] = [];
  const config = loadDocument<ExperimentConfig>('experiment', location.configFile, problems);
  if (config === undefined) throw invalid(location, problems);
  problems.push(...locateProblems(config.doc, checkConfig(config.data, location)));

  // A file experiment.yaml names that is not there is reported at the line naming it.
  const missing = (file: string, at: string, message: string): boolean => {
    if (existsSync(file)) return false;
    problems.push(...locateProblems(config.doc, [{ file: location.configFile, path: at, message: `${message}: ${relativeToCwd(file)} does not exist; create it, or correct the name here` }]));
    return true;
  };
  const preregistrationFile = path.join(location.dir, config.data.preregistration);
  const prereg = missing(preregistrationFile, '/preregistration', 'no pre-registration') ? undefined : loadDocument<Preregistration>('preregistration', preregistrationFile, problems);
  const freezeOnly: Problem[] = [];
  if (prereg !== undefined) {
    problems.push(...locateProblems(prereg.doc, checkPreregistration(prereg.data, config.data, preregistrationFile)));
    freezeOnly.push(...locateProblems(prereg.doc, checkPlan(prereg.data, preregistrationFile)));
  }

  const variants: LoadedVariant[] = [];
  for (const id of unique(config.data.variants)) {
    const file = path.join(location.dir, 'variants', `${id}.md`);
    if (missing(file, `/variants/${config.data.variants.indexOf(id)}`, `variant "${id}" has no system prompt`)) continue;
    try {
      const prompt = readText(file);
      variants.push({ id, file, prompt, digest: digestOf(prompt) });
    } catch (err) {
      problems.push(...asProblems(err, file));
    }
  }
  const tasks: LoadedTask[] = [];
  for (const id of unique(config.data.tasks)) {
    if (missing(path.join(location.dir, 'tasks', id, 'task.yaml'), `/tasks/${config.data.tasks.indexOf(id)}`, `task "${id}" has no task.yaml`)) continue;
    const task = await loadTask(path.join(location.dir, 'tasks'), id, problems, freezeOnly);
    if (task !== undefined) tasks.push(task);
  }
  if (problems.length > 0 || prereg === undefined) throw invalid(location, problems);
  const program = config.data.provider.command?.argv[0];
  const agentProgram = program !== undefined && program.includes('/') ? path.join(location.dir, program) : undefined;
  const agentDir = agentProgram === undefined ? undefined : path.dirname(agentProgram);
  const notRunnable = agentProgram === undefined || isExecutableFile(agentProgram) ? undefined
    : locateProblems(config.doc, [{ file: location.configFile, path: '/provider/command/argv/0', message: `agent program "${program}" is not an executable file, so no run could start it: make it one (\`chmod +x ${path.resolve(agentProgram)}\`)` }])[0];
  return {
    agent: agentDir === undefined ? undefined : { dir: agentDir, digest: await treeDigest(agentDir), notRunnable },
    location,
    config: config.data,
    resolved: resolveConfig(config.data),
    configDigest: config.digest,
    preregistration: prereg.data,
    preregistrationFile,
    preregistrationDigest: prereg.digest,
    variants,
    tasks,
    freezeOnly,
  };
}

function loadDocument<T>(name: 'experiment' | 'preregistration', file: string, problems: Problem[]): { data: T; digest: Digest; doc: LoadedDocument } | undefined {
  try {
    const text = readText(file);
    const doc = parseYaml(file, text);
    const found = documentProblems(name, doc);
    problems.push(...found);
    return found.length > 0 ? undefined : { data: doc.data as T, digest: digestOf(text), doc };
  } catch (err) {
    problems.push(...asProblems(err, file));
    return undefined;
  }
}

function checkConfig(config: ExperimentConfig, location: ExperimentLocation): Problem[] {
  const problems: Problem[] = [];
  const file = location.configFile;
  if (config.id !== location.id) problems.push({ file, path: '/id', message: `id "${config.id}" does not match the folder name "${location.id}"; rename one of them` });
  duplicates(config.variants).forEach((i) => problems.push({ file, path: `/variants/${i}`, message: `duplicate variant id "${config.variants[i]}"` }));
  duplicates(config.tasks).forEach((i) => problems.push({ file, path: `/tasks/${i}`, message: `duplicate task id "${config.tasks[i]}"` }));
  for (const key of Object.keys(config.simulator?.behaviour ?? {})) {
    if (!config.variants.includes(key)) problems.push({ file, path: `/simulator/behaviour/${key}`, message: `"${key}" is not one of the variants (${config.variants.join(', ')})` });
  }
  if (config.provider.name === 'command' && config.provider.command === undefined) {
    problems.push({ file, path: '/provider', message: 'provider "command" needs provider.command.argv (the agent program to run)' });
  }
  const program = config.provider.command?.argv[0];
  if (program !== undefined && program.includes('/')) problems.push(...agentProgramProblems(location.dir, program, file));
  const prereg = path.resolve(location.dir, config.preregistration);
  if (relativeInside(location.dir, prereg) === undefined) {
    problems.push({ file, path: '/preregistration', message: 'the pre-registration must be inside the experiment folder' });
  }
  return problems;
}

// An external agent's program lives in its own subfolder of the experiment (e.g. agent/run.sh):
// that folder, and only it, is shown to the agent (read-only), so it must not hold the tasks.
function agentProgramProblems(expDir: string, program: string, file: string): Problem[] {
  const abs = path.resolve(expDir, program);
  const folder = relativeInside(expDir, path.dirname(abs));
  const at = (message: string): Problem[] => [{ file, path: '/provider/command/argv/0', message }];
  if (path.isAbsolute(program) || folder === undefined || folder === '') {
    return at(`agent program "${program}" must be in a subfolder of the experiment folder (e.g. agent/run.sh): that folder is what the sandbox shows the agent; a program of the system is named bare (e.g. sh, python3)`);
  }
  const top = folder.split(path.sep)[0];
  if (top === 'tasks' || top === 'variants') return at(`agent program "${program}" must not live under ${top}/ (the agent would see it)`);
  if (!existsSync(abs)) return at(`agent program "${program}" not found at ${abs}: put it there, or correct provider.command.argv`);
  return [];
}

function checkPreregistration(prereg: Preregistration, config: ExperimentConfig, file: string): Problem[] {
  const problems: Problem[] = [];
  if (prereg.experiment !== config.id) problems.push({ file, path: '/experiment', message: `registers "${prereg.experiment}", but the experiment is "${config.id}"` });
  prereg.hypotheses.forEach((h, i) => {
    for (const key of ['treatment', 'control'] as const) {
      if (!config.variants.includes(h[key])) problems.push({ file, path: `/hypotheses/${i}/${key}`, message: `"${h[key]}" is not a variant of the experiment (${config.variants.join(', ')})` });
    }
  });
  if (prereg.seed !== config.design.seed) {
    problems.push({ file, path: '/seed', message: `registers seed ${prereg.seed} but experiment.yaml design.seed is ${config.design.seed}; the seed is fixed before the first run` });
  }
  if (prereg.plannedN.pairsPerTask !== config.design.pairsPerTask) {
    problems.push({ file, path: '/plannedN/pairsPerTask', message: `plans ${prereg.plannedN.pairsPerTask} pairs per task but experiment.yaml design.pairsPerTask is ${config.design.pairsPerTask}; make them agree` });
  }
  if (prereg.plannedN.tasks !== config.tasks.length) {
    problems.push({ file, path: '/plannedN/tasks', message: `plans ${prereg.plannedN.tasks} tasks but experiment.yaml lists ${config.tasks.length}` });
  }
  return problems;
}

// The plan's own consistency (freeze-only: see LoadedExperiment.freezeOnly).
function checkPlan(prereg: Preregistration, file: string): Problem[] {
  const problems: Problem[] = [];
  const { minimumPairsPerTask } = prereg.plannedN;
  if (minimumPairsPerTask !== undefined && minimumPairsPerTask > prereg.plannedN.pairsPerTask) {
    problems.push({ file, path: '/plannedN/minimumPairsPerTask', message: `requires at least ${minimumPairsPerTask} analysed pairs per task, more than the ${prereg.plannedN.pairsPerTask} planned: no set could meet it` });
  }
  const { metrics, logRatio = [] } = prereg.secondaryOutcomes;
  logRatio.forEach((metric, i) => {
    if (!metrics.includes(metric)) problems.push({ file, path: `/secondaryOutcomes/logRatio/${i}`, message: `"${metric}" is not one of the secondary metrics (${metrics.join(', ')}), so it would never be reported: add it to metrics, or remove it here` });
  });
  return problems;
}

/**
 * Refuses (exit 2), for what starts the external agent (freezing a set for it, executing its runs),
 * an agent program that is not executable. Reading a set needs no program, so loading does not.
 */
export function requireRunnableAgent(exp: LoadedExperiment): void {
  if (exp.agent?.notRunnable !== undefined) throw invalid(exp.location, [exp.agent.notRunnable]);
}

/**
 * Refuses (exit 2), for what starts the external agent, a variable named in provider.command.env
 * that is not set here: the agent would start without it (an API key, mostly), fail every run, and
 * each failure would be locked as a result. Freezing does not need the variables, so it does not ask.
 */
export function requireAgentEnvironment(exp: LoadedExperiment): void {
  const unset = (exp.config.provider.command?.env ?? []).flatMap((name, i) => (process.env[name] === undefined ? [{ name, i }] : []));
  if (unset.length === 0) return;
  const file = exp.location.configFile;
  const problems = locateProblems(parseYaml(file, readText(file)), unset.map(({ name, i }) => ({
    file, path: `/provider/command/env/${i}`, message: `${name} is not set in this environment, so the agent would start without it`,
  })));
  throw inputError(`the agent of ${exp.location.id} needs ${unset.map((u) => u.name).join(', ')}, which ${unset.length === 1 ? 'is' : 'are'} not set`, {
    problems,
    hint: `export ${unset.map((u) => `${u.name}=…`).join(' ')} and run the command again, or remove ${unset.length === 1 ? 'it' : 'them'} from provider.command.env in experiment.yaml; nothing was written`,
  });
}

/** The refusal (exit 2) of an experiment with `problems`, each located. */
export function invalid(location: ExperimentLocation, problems: Problem[]) {
  return inputError(`experiment ${location.id} has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, {
    problems,
    hint: 'fix them and run the command again; nothing was written',
  });
}

function duplicates(values: readonly string[]): number[] {
  return values.flatMap((v, i) => (values.indexOf(v) !== i ? [i] : []));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
