import { Option } from 'commander';

// Options several subcommands share, declared once so their names, defaults and choices agree.

export const runsDirOption = () => new Option('--runs-dir <dir>', 'folder that holds run sets').default('runs');

export const providerOption = (description: string) => new Option('--provider <name>', description).choices(['sim', 'anthropic', 'command']);

export const sandboxOption = () => new Option('--sandbox <mode>', 'sandbox for programs the runs start (auto: bwrap when usable)').choices(['auto', 'bwrap', 'none']).default('auto');
