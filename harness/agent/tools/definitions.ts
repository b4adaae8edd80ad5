import type { TaskSpec } from '../../core/types/index.js';

export type ToolName = TaskSpec['tools'][number];

export interface ToolDefinition {
  name: ToolName;
  description: string;
  input_schema: { type: 'object'; properties: Record<string, unknown>; required: string[]; additionalProperties: false };
}

const path = { type: 'string', description: 'Path relative to the workspace root, e.g. "notes/todo.txt". Absolute paths and ".." are refused.' };

// What the model is told about each tool. These texts are part of every run's pins (the variant's
// tools digest), so editing them changes the digest of every manifest made afterwards.
export const TOOL_DEFINITIONS: Record<ToolName, ToolDefinition> = {
  read_file: {
    name: 'read_file',
    description: 'Read a UTF-8 text file from the workspace and return its content.',
    input_schema: { type: 'object', properties: { path }, required: ['path'], additionalProperties: false },
  },
  write_file: {
    name: 'write_file',
    description: 'Create or overwrite a file in the workspace with the given content. Parent folders are created as needed.',
    input_schema: { type: 'object', properties: { path, content: { type: 'string' } }, required: ['path', 'content'], additionalProperties: false },
  },
  edit_file: {
    name: 'edit_file',
    description: 'Replace one exact occurrence of old_string with new_string in a workspace file. Fails if old_string does not occur exactly once.',
    input_schema: {
      type: 'object',
      properties: { path, old_string: { type: 'string' }, new_string: { type: 'string' } },
      required: ['path', 'old_string', 'new_string'],
      additionalProperties: false,
    },
  },
  list_dir: {
    name: 'list_dir',
    description: 'List the entries of a workspace folder ("." is the workspace root). Folders end with "/".',
    input_schema: { type: 'object', properties: { path }, required: ['path'], additionalProperties: false },
  },
  run_command: {
    name: 'run_command',
    description: 'Run a shell command line (sh -c) in the workspace, inside a sandbox without network. Returns exit code, stdout and stderr (truncated when long).',
    input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'], additionalProperties: false },
  },
  ask_clarification: {
    name: 'ask_clarification',
    description: 'Ask the person who gave the task a clarifying question when the instruction is ambiguous. Returns their answer.',
    input_schema: { type: 'object', properties: { question: { type: 'string' } }, required: ['question'], additionalProperties: false },
  },
};

/** The tools offered in a run, in the task's order. */
export function toolsFor(task: TaskSpec): ToolDefinition[] {
  return task.tools.map((name) => TOOL_DEFINITIONS[name]);
}
