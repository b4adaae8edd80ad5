import { inputError } from '../core/errors.js';
import { startSimServer } from '../providers/sim/index.js';

export interface SimServerOptions {
  port: number;
  host: string;
}

// The simulator hands out sessions to whoever asks: it listens on this machine only.
const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

/** Starts the simulator standalone and resolves when it stops (on SIGINT/SIGTERM). */
export async function simServer(options: SimServerOptions, onListening: (url: string) => void): Promise<void> {
  if (!LOOPBACK.test(options.host)) {
    throw inputError(`--host ${options.host} is not a loopback address`, { hint: 'the simulator serves this machine only: use 127.0.0.1 (the default), ::1 or localhost' });
  }
  const server = await startSimServer({ port: options.port, host: options.host });
  onListening(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
