import { InvalidArgumentError, type Command } from 'commander';
import type { SetExitCode } from './program.js';

export function registerSimServer(program: Command, _setCode: SetExitCode): void {
  program
    .command('sim-server')
    .description('run the offline simulator (an Anthropic Messages API on 127.0.0.1) until interrupted')
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 0)
    .option('--host <addr>', 'address to bind (loopback only)', '127.0.0.1')
    .addHelpText('after', `
Runs use it instead of their in-process simulator when HARNESS_SIM_URL is set:
  harness sim-server --port 8377                  # one terminal; Ctrl-C stops it
  harness freeze exp-001-role-vs-goal --runs-dir runs/via-server                                  # another terminal
  HARNESS_SIM_URL=http://127.0.0.1:8377 harness run exp-001-role-vs-goal --runs-dir runs/via-server`)
    .action(async (opts: { port: number; host: string }) => {
      const { simServer } = await import('../commands/sim-server.js');
      await simServer(opts, (url) => process.stdout.write(`simulator listening on ${url} (Ctrl-C to stop)\n`));
    });
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}
