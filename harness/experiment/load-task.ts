import { promises as fs } from 'node:fs';
import path from 'node:path';
import { digestOf, type Digest } from '../core/digest.js';
import { HarnessError, type Problem } from '../core/errors.js';
import type { TaskSpec } from '../core/types/index.js';
import { locateProblems, parseYaml, readText, type LoadedDocument } from '../documents/load.js';
import { documentProblems } from '../documents/validate.js';
import { listTree, treeDigestOf, type TreeFile } from '../store/file-tree.js';
import { relativeInside } from './locate.js';

export interface LoadedTask {
  id: string;
  dir: string;
  specFile: string;
  spec: TaskSpec;
  specDigest: Digest;
  workspaceDir: string;
  workspaceFiles: TreeFile[];
  workspaceDigest: Digest;
}

const TOOLS_NEEDING = { clarification_asked: 'ask_clarification' } as const;

// Loads one task and reports every problem with it instead of stopping at the first, so a user
// fixes a broken suite in one pass.
/** `freezeOnly`: where problems go that only a new freeze refuses (LoadedExperiment.freezeOnly). */
export async function loadTask(tasksDir: string, id: string, problems: Problem[], freezeOnly: Problem[]): Promise<LoadedTask | undefined> {
  const dir = path.join(tasksDir, id);
  const specFile = path.join(dir, 'task.yaml');
  let text: string;
  try {
    text = readText(specFile);
  } catch (err) {
    problems.push(...asProblems(err, specFile));
    return undefined;
  }
  let spec: TaskSpec;
  let doc: LoadedDocument;
  try {
    doc = parseYaml(specFile, text);
    const found = documentProblems('task', doc);
    if (found.length > 0) {
      problems.push(...found);
      return undefined;
    }
    spec = doc.data as TaskSpec;
  } catch (err) {
    problems.push(...asProblems(err, specFile));
    return undefined;
  }
  const own: Problem[] = [];
  if (spec.id !== id) own.push({ file: specFile, path: '/id', message: `id "${spec.id}" does not match its folder name "${id}"` });
  checkUniqueCheckIds(spec, specFile, own);
  checkToolReferences(spec, specFile, own);
  const workspaceDir = await checkWorkspaceDir(dir, spec.workspace, specFile, own);
  problems.push(...locateProblems(doc, own));
  freezeOnly.push(...locateProblems(doc, simulatorToolProblems(spec, specFile)));
  if (workspaceDir === undefined) return undefined;
  const before = problems.length;
  const listing = await listTree(workspaceDir);
  for (const odd of listing.odd) {
    problems.push({ file: path.join(workspaceDir, odd.path), message: `${odd.type === 'symlink' ? 'a symlink' : 'a special file'} in a fixture workspace; fixtures hold regular files only (replace it with a copy of the file)` });
  }
  // git keeps no empty folder: a clone of the experiment would have no fixture to freeze.
  if (listing.files.length === 0 && listing.odd.length === 0) {
    freezeOnly.push(...locateProblems(doc, [{ file: specFile, path: '/workspace', message: `workspace folder ${spec.workspace} is empty, and git keeps no empty folder, so a clone of this experiment could not be frozen: put the files the agent starts from in it (at least one, e.g. a README.md)` }]));
  }
  for (const f of listing.files) {
    if (/[\\\n\r]/.test(f.path)) problems.push({ file: path.join(workspaceDir, f.path), message: 'file name contains a backslash or newline; rename it (sha256sum escapes such names)' });
  }
  if (problems.length > before) return undefined;
  return {
    id, dir, specFile, spec, specDigest: digestOf(text),
    workspaceDir, workspaceFiles: listing.files, workspaceDigest: treeDigestOf(listing.files),
  };
}

function checkUniqueCheckIds(spec: TaskSpec, file: string, problems: Problem[]): void {
  const seen = new Set<string>();
  spec.checks.forEach((c, i) => {
    if (seen.has(c.id)) problems.push({ file, path: `/checks/${i}/id`, message: `duplicate check id "${c.id}"` });
    seen.add(c.id);
  });
}

function checkToolReferences(spec: TaskSpec, file: string, problems: Problem[]): void {
  spec.checks.forEach((c, i) => {
    const tool = c.kind === 'tool_used' ? (c as { tool: string }).tool : TOOLS_NEEDING[c.kind as keyof typeof TOOLS_NEEDING];
    if (tool !== undefined && !(spec.tools as string[]).includes(tool)) {
      problems.push({ file, path: `/checks/${i}`, message: `check "${c.id}" needs tool ${tool}, which the task does not allow; add it to tools` });
    }
  });
}

// The simulator script may call only tools the task offers. (A script's `mistake` may: calling a
// tool that was not offered is one of the mistakes an agent makes.)
function simulatorToolProblems(spec: TaskSpec, file: string): Problem[] {
  return (spec.simulator?.steps ?? []).flatMap((step, i) => {
    const tool = step.call?.tool;
    return tool === undefined || (spec.tools as string[]).includes(tool) ? []
      : [{ file, path: `/simulator/steps/${i}/call/tool`, message: `the simulated agent calls ${tool}, which the task does not allow, so every simulated run would get a tool error here: add it to tools, or call another` }];
  });
}

async function checkWorkspaceDir(taskDir: string, workspace: string, file: string, problems: Problem[]): Promise<string | undefined> {
  const dir = path.join(taskDir, workspace);
  const rel = relativeInside(taskDir, dir);
  if (path.isAbsolute(workspace) || rel === undefined || rel === '') {
    problems.push({ file, path: '/workspace', message: `workspace "${workspace}" must be a folder inside the task folder` });
    return undefined;
  }
  try {
    const stat = await fs.lstat(dir);
    if (stat.isSymbolicLink()) problems.push({ file, path: '/workspace', message: `workspace "${workspace}" is a symlink; use a real folder` });
    else if (!stat.isDirectory()) problems.push({ file, path: '/workspace', message: `workspace "${workspace}" is not a folder` });
    else return dir;
  } catch {
    problems.push({ file, path: '/workspace', message: `workspace folder ${dir} does not exist; create it with the fixture files` });
  }
  return undefined;
}

export function asProblems(err: unknown, file: string): Problem[] {
  if (err instanceof HarnessError) return err.problems.length > 0 ? err.problems : [{ message: err.message }];
  return [{ file, message: String(err) }];
}
