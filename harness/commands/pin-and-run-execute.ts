import type { Usage } from '../agent/loop.js';
import type { ProviderName } from '../pipeline/freeze-record.js';
import { executeRun } from '../pipeline/execute-run.js';
import { stopSimulator } from '../providers/sim-provider.js';

export interface ExecuteCommandOptions {
  manifest: string;
  provider?: ProviderName;
}

export interface ExecuteCommandResult {
  runId: string;
  runDir: string;
  provider: ProviderName;
  stopReason: string;
  turns: number;
  toolCalls: number;
  usage: Usage;
  wallTimeMs: number;
  infrastructureError: string | null;
}

export async function pinAndRunExecute(options: ExecuteCommandOptions): Promise<ExecuteCommandResult> {
  try {
    const r = await executeRun({ manifestFile: options.manifest, provider: options.provider });
    return { ...r, infrastructureError: r.infrastructureError ?? null };
  } finally {
    await stopSimulator();
  }
}
