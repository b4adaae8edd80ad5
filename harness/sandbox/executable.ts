import { accessSync, constants, statSync } from 'node:fs';

// A regular file (or a link to one) that this process may execute. A module of its own, so that
// checking a program (freeze checks an external agent's) does not load the code that starts one.
export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
