import { closeSync, openSync, writeSync } from 'node:fs';
import { sha256Hex } from '../core/digest.js';
import type { TraceEvent } from '../core/types/index.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type TraceEventInput = DistributiveOmit<TraceEvent, 'schemaVersion' | 'seq' | 'at'>;

// Strings longer than this are cut in the trace (head kept, with length and digest), so a 100 MB
// tool input cannot turn agent.log into a 100 MB line; the digest still identifies the content.
const TRACE_STRING_LIMIT = 64 * 1024;

/**
 * Appends schema-shaped JSONL events to agent.log, numbered and time-stamped. Each event reaches
 * the file when it is written (one small synchronous append, so a killed process leaves every
 * event before it on disk, in order), and is kept as written for the evaluation that follows.
 */
export class TraceWriter {
  private seq = 0;
  private readonly written: TraceEvent[] = [];
  private constructor(private readonly fd: number) {}

  /** Creates agent.log exclusively: a run is executed once, so an existing trace is a refusal. */
  static create(file: string): TraceWriter {
    return new TraceWriter(openSync(file, 'wx', 0o644));
  }

  write(event: TraceEventInput): void {
    const line = { schemaVersion: 1, seq: this.seq++, at: new Date().toISOString(), ...event };
    const text = JSON.stringify(line, cutLongStrings);
    writeSync(this.fd, `${text}\n`);
    this.written.push(JSON.parse(text) as TraceEvent);
  }

  /** The events as they stand in the file. */
  get events(): readonly TraceEvent[] {
    return this.written;
  }

  /** Closes the file; it is fsynced with the rest of the run when the run is locked. */
  close(): void {
    closeSync(this.fd);
  }
}

function cutLongStrings(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || value.length <= TRACE_STRING_LIMIT) return value;
  return `${value.slice(0, 1024)}… [cut: ${Buffer.byteLength(value)} bytes, sha256 ${sha256Hex(value)}]`;
}
