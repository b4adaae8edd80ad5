// Reading the registry: the last entry (what an append chains onto), every entry, and the entries
// appended since (following the file as other processes append). A last line cut off by a crash
// is refused with how to cut it off. Appending is in registry.ts.
import { closeSync, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { inputError } from '../core/errors.js';
import type { RegistryEntry } from '../core/types/index.js';
import { schemaProblems } from '../documents/schemas.js';

// How much of the file's end is read to find the last entry: appends cost the same at 100 or
// 100,000 entries (an entry is far smaller than this; a longer one is read in further chunks).
const TAIL_CHUNK = 16 * 1024;

// Reads backwards from the end until a whole line is in hand.
export function lastEntry(file: string): RegistryEntry | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return undefined;
    let tail = Buffer.alloc(0);
    let pos = size;
    for (;;) {
      const len = Math.min(TAIL_CHUNK, pos);
      pos -= len;
      const chunk = Buffer.alloc(len);
      readSync(fd, chunk, 0, len, pos);
      tail = Buffer.concat([chunk, tail]);
      // Without its newline the last line is cut off, and the newline before it is where it starts.
      const cutOff = tail[tail.length - 1] !== 0x0a;
      const start = tail.lastIndexOf(0x0a, tail.length - (cutOff ? 1 : 2));
      if (start >= 0 || pos === 0) {
        if (cutOff) throw tornTail(file, pos + start + 1);
        // What the next entry's seq and prev are taken from: checked against the schema, not cast.
        let entry: unknown;
        try {
          entry = JSON.parse(tail.subarray(start + 1, tail.length - 1).toString('utf8'));
        } catch {
          entry = undefined;
        }
        if (entry !== undefined && schemaProblems('registry-entry', entry).length === 0) return entry as RegistryEntry;
        throw inputError(`${file}: the last line is not a registry entry`, { hint: 'run `harness verify` to see what happened to the registry; do not edit it by hand' });
      }
    }
  } finally {
    closeSync(fd);
  }
}

// A last line without its newline that stays so is an append cut off by a power loss or a full
// disk: nothing acknowledged it (a lock it was to register is registered again by \`run\` or
// \`lock-run\`), so cutting it off restores the registry as it was before that append.
/** The refusal of a registry whose last line was cut off at `completeBytes` (exit 2, with how to cut it off). */
export function tornTail(file: string, completeBytes: number): Error {
  return inputError(`${file}: the last line is incomplete: an append was cut off (power loss or a full disk?)`, { hint: `${cutOffAdvice(file, completeBytes)}, then run the command again` });
}

/** What to do about a registry whose last line was cut off at `completeBytes`. */
export function cutOffAdvice(file: string, completeBytes: number): string {
  return `keep a copy (cp ${file} ${file}.cut-off), then, with no harness command running, cut the incomplete line off (truncate -s ${completeBytes} ${file})`;
}

/** Where the registry's lines end: undefined when its text ends with a complete line. */
export function cutOffAt(text: string): number | undefined {
  return text === '' || text.endsWith('\n') ? undefined : Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1));
}

/**
 * The registry's text (undefined: no registry). Read without the lock, it may end in the middle of
 * another process's append: then it is read again, for a while, before that counts as cut off.
 */
export async function readRegistryText(file: string): Promise<string | undefined> {
  for (let tries = 1; ; tries++) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (cutOffAt(text) === undefined || tries === 5) return text;
    await sleep(50);
  }
}

/** Every entry, parsed; malformed lines are reported by `verify`, here they are an error. */
export async function readEntries(file: string): Promise<RegistryEntry[]> {
  return entriesOf(file, await readRegistryText(file));
}

/** Every entry, as readEntries, and a follower (below) that then returns only the entries appended after them. */
export async function readAndFollow(file: string): Promise<{ entries: RegistryEntry[]; follow: () => RegistryEntry[] }> {
  const text = await readRegistryText(file);
  const entries = entriesOf(file, text);
  return { entries, follow: registryFollower(file, { offset: Buffer.byteLength(text ?? ''), lines: (text ?? '').split('\n').length - 1 }) };
}

function entriesOf(file: string, text: string | undefined): RegistryEntry[] {
  if (text === undefined) return [];
  const cutOff = cutOffAt(text);
  if (cutOff !== undefined) throw tornTail(file, cutOff);
  return parseLines(file, text, 0);
}

// Line numbers in errors count every line of the file, blank ones included.
function parseLines(file: string, text: string, linesBefore: number): RegistryEntry[] {
  return text.split('\n').flatMap((line, i) => {
    if (line === '') return [];
    try {
      return [JSON.parse(line) as RegistryEntry];
    } catch {
      throw inputError(`${file}:${linesBefore + i + 1}: not a JSON registry entry`, { hint: 'run `harness verify` to see what happened to the registry; do not edit it by hand' });
    }
  });
}

/**
 * Follows a registry as it grows (other processes append to it): each call returns the entries
 * of the complete lines appended since the last call, reading only those bytes. A line still
 * being written is left for a later call.
 */
export function registryFollower(file: string, from = { offset: 0, lines: 0 }): () => RegistryEntry[] {
  let { offset, lines } = from;
  return () => {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const grown = fstatSync(fd).size - offset;
      if (grown <= 0) return [];
      const bytes = Buffer.alloc(grown);
      const read = readSync(fd, bytes, 0, grown, offset);
      const complete = bytes.lastIndexOf(0x0a, read - 1) + 1;
      const text = bytes.toString('utf8', 0, complete);
      const entries = parseLines(file, text, lines);
      offset += complete;
      lines += text.split('\n').length - 1;
      return entries;
    } finally {
      closeSync(fd);
    }
  };
}
