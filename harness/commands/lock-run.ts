import { lockRun, type LockResult } from '../pipeline/lock-run.js';

export interface LockRunOptions {
  run: string;
}

export async function lockRunCommand(options: LockRunOptions): Promise<LockResult> {
  return lockRun(options.run);
}
