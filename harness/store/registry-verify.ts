import type { Problem } from '../core/errors.js';
import type { RegistryEntry } from '../core/types/index.js';
import { schemaProblems } from '../documents/schemas.js';
import { entryDigest } from './registry.js';
import { cutOffAdvice, cutOffAt, readRegistryText } from './registry-read.js';

export interface RegistryCheck {
  entries: RegistryEntry[];
  problems: Problem[];
  /** Where the last line was cut off (the size of the whole lines before it), when it was. */
  cutOff?: number;
}

// The registry is a hash chain: each entry's digest covers its content and the previous digest.
// An edited entry breaks its own digest, a removed or reordered one breaks seq and prev, and a
// cut-off write leaves a last line without its newline.
export async function verifyRegistryChain(file: string): Promise<RegistryCheck> {
  let text: string | undefined;
  try {
    text = await readRegistryText(file);
  } catch (err) {
    return { entries: [], problems: [{ file, message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` }] };
  }
  if (text === undefined) return { entries: [], problems: [{ file, message: 'registry missing: the experiment has no record of its runs' }] };
  const problems: Problem[] = [];
  const entries: RegistryEntry[] = [];
  const cutOff = cutOffAt(text);
  if (cutOff !== undefined) problems.push({ file, line: text.split('\n').length, message: `truncated: the last entry is cut off (an append interrupted by a power loss or a full disk; ${cutOffAdvice(file, cutOff)})` });
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let prev: RegistryEntry | undefined;
  lines.forEach((line, i) => {
    const at = (message: string) => problems.push({ file, line: i + 1, message });
    let entry: RegistryEntry;
    try {
      entry = JSON.parse(line) as RegistryEntry;
    } catch {
      at('not a JSON entry (edited or cut off)');
      return;
    }
    const schema = schemaProblems('registry-entry', entry);
    if (schema.length > 0) at(`not a valid entry: ${schema.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    else if (entryDigest(entry).sha256 !== entry.digest.sha256) at(`edited: entry ${entry.seq} (${entry.type}) no longer matches its digest`);
    if (entry.seq !== i) at(`entry ${entry.seq} found at position ${i}: entries were removed, inserted or reordered`);
    const expectedPrev = prev?.digest.sha256 ?? null;
    if ((entry.prev?.sha256 ?? null) !== expectedPrev) at(`chain broken: entry ${entry.seq} does not point to the entry before it`);
    entries.push(entry);
    prev = entry;
  });
  // Every run set's registry starts with its freeze: one without entries was emptied.
  if (entries.length === 0 && cutOff === undefined) problems.push({ file, message: 'empty: a run set\'s registry starts with its freeze (genesis) entry, and this one has no entry (emptied or truncated)' });
  else if (entries.length > 0 && entries[0]!.type !== 'frozen') problems.push({ file, line: 1, message: 'the first entry is not the freeze (genesis) entry' });
  return cutOff === undefined ? { entries, problems } : { entries, problems, cutOff };
}
