import { startSimServer } from '../providers/sim/index.js';

export interface SimServerOptions {
  port: number;
  host: string;
}

/** Starts the simulator standalone and resolves when it stops (on SIGINT/SIGTERM). */
export async function simServer(options: SimServerOptions, onListening: (url: string) => void): Promise<void> {
  const server = await startSimServer({ port: options.port, host: options.host });
  onListening(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
