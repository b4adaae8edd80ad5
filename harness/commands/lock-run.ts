import * as pipeline from '../pipeline/lock-run.js';

export interface LockRunOptions {
  run: string;
}

// lock-run: the pipeline's lock of one run folder, by hand.
export async function lockRun(options: LockRunOptions): Promise<pipeline.LockResult> {
  return pipeline.lockRun(options.run);
}
