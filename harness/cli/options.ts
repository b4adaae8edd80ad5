import { InvalidArgumentError, Option } from 'commander';
import { statSync } from 'node:fs';
import type { Alternative } from '../analysis/stats/alternative.js';
import type { ProviderName } from '../pipeline/freeze-record.js';
import type { SandboxRequest } from '../pipeline/sandbox-mode.js';

// Options several subcommands share, declared once so their names, defaults and choices agree.

// Unset, each command takes runs/ beside the project's experiments/ (experiment/locate.ts), so a
// command run from a subfolder finds the same run sets.
export const runsDirOption = () => new Option('--runs-dir <dir>', 'folder that holds run sets (default: runs/ beside the experiments/ folder)').argParser(runsDir);

// A folder that may not exist yet (freeze creates it), but not an empty name or a file.
function runsDir(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('expected a folder name');
  if (statSync(text, { throwIfNoEntry: false })?.isDirectory() === false) throw new InvalidArgumentError(`${text} is a file, not a folder`);
  return text;
}

// Every member of a union, once: a Record keyed by the union fails to compile when a member is
// added to or dropped from the type, so the choices offered cannot drift from what commands accept.
function members<T extends string>(all: Record<T, true>): T[] {
  return Object.keys(all) as T[];
}

const PROVIDERS = members<ProviderName>({ sim: true, anthropic: true, command: true });
const SANDBOX_REQUESTS = members<SandboxRequest>({ auto: true, bwrap: true, none: true });
const SIDEDNESS = members<Alternative>({ 'two-sided': true, greater: true, less: true });

export const providerOption = (description: string) => new Option('--provider <name>', description).choices(PROVIDERS);

export const sidednessOption = (description: string) => new Option('--sidedness <s>', description).choices(SIDEDNESS).default('two-sided' satisfies Alternative);

export const sandboxOption = () => new Option('--sandbox <mode>', 'sandbox for programs the runs start (auto: bwrap when usable)').choices(SANDBOX_REQUESTS).default('auto' satisfies SandboxRequest);
