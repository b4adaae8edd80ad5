import { promises as fs } from 'node:fs';
import { checkFailed, type Problem } from '../core/errors.js';
import type { TraceEvent } from '../core/types/index.js';
import { schemaProblems } from '../documents/schemas.js';

// Every line is checked against the trace-event schema: a trace that cannot be read back is a
// failed check of the run, reported by line.
export async function readTrace(file: string): Promise<TraceEvent[]> {
  const text = await fs.readFile(file, 'utf8');
  const problems: Problem[] = [];
  const events: TraceEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      problems.push({ file, line: i + 1, message: 'not a JSON event (the line is cut or edited)' });
      return;
    }
    for (const p of schemaProblems('trace-event', event)) problems.push({ file, line: i + 1, ...p });
    events.push(event as TraceEvent);
  });
  if (problems.length > 0) throw checkFailed(`${file} is not a valid trace`, { problems, hint: 'a run whose trace was cut or edited cannot be evaluated: `harness run` (or `pin-and-run --init`) makes a new attempt of its slot' });
  return events;
}
