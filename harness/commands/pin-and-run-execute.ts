import type { ProviderName } from '../pipeline/freeze-record.js';
import { executeRun, type ExecuteResult } from '../pipeline/execute-run.js';

export interface ExecuteCommandOptions {
  manifest: string;
  provider?: ProviderName;
}

/** The execution, with `null` (JSON has no undefined) when no infrastructure error occurred. */
export type ExecuteCommandResult = Omit<ExecuteResult, 'infrastructureError' | 'trace'> & { infrastructureError: string | null };

export async function pinAndRunExecute(options: ExecuteCommandOptions): Promise<ExecuteCommandResult> {
  // The trace is in agent.log; the result says where.
  const { trace: _trace, ...r } = await executeRun({ manifestFile: options.manifest, provider: options.provider });
  return { ...r, infrastructureError: r.infrastructureError ?? null };
}
