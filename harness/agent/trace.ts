import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { sha256Hex } from '../core/digest.js';
import type { TraceEvent } from '../core/types/index.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type TraceEventInput = DistributiveOmit<TraceEvent, 'schemaVersion' | 'seq' | 'at'>;

// Strings longer than this are cut in the trace (head kept, with length and digest), so a 100 MB
// tool input cannot turn agent.log into a 100 MB line; the digest still identifies the content.
export const TRACE_STRING_LIMIT = 64 * 1024;

/** Appends schema-shaped JSONL events to agent.log, numbered and time-stamped. */
export class TraceWriter {
  private seq = 0;
  // Writes are chained so events from concurrent callers (SDK retry notices) keep their order.
  private pending: Promise<unknown> = Promise.resolve();
  private constructor(private readonly handle: FileHandle, private readonly clock: () => Date) {}

  /** Creates agent.log exclusively: a run is executed once, so an existing trace is a refusal. */
  static async create(file: string, clock: () => Date = () => new Date()): Promise<TraceWriter> {
    return new TraceWriter(await fs.open(file, 'wx', 0o644), clock);
  }

  write(event: TraceEventInput): Promise<void> {
    const line = { schemaVersion: 1, seq: this.seq++, at: this.clock().toISOString(), ...event };
    const text = `${JSON.stringify(line, cutLongStrings)}\n`;
    const written = this.pending.then(() => this.handle.write(text));
    this.pending = written;
    return written.then(() => undefined);
  }

  async close(): Promise<void> {
    await this.pending;
    await this.handle.sync();
    await this.handle.close();
  }
}

function cutLongStrings(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || value.length <= TRACE_STRING_LIMIT) return value;
  return `${value.slice(0, 1024)}… [cut: ${Buffer.byteLength(value)} bytes, sha256 ${sha256Hex(value)}]`;
}
