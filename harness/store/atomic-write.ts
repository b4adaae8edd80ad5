import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, fsync, openSync, promises as fs } from 'node:fs';
import path from 'node:path';

// Readers never see a half-written file: every write goes to a temp file beside the target and is
// renamed over it. Documents that stand alone (freeze record, schedule, reports) are fsynced on
// the spot, directory included. The files of a run are written without fsync and made durable all
// at once when the run is locked (syncPaths, then the lock): until then a crash costs at most the
// attempt, which is kept and redone; a locked run is on disk before its lock is.
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: { syncDir?: boolean } = {}): Promise<void> {
  const tmp = await writeTemp(file, data);
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  if (options.syncDir !== false) await fsyncDir(path.dirname(file));
}

export async function writeJsonAtomic(file: string, value: unknown, options: { syncDir?: boolean } = {}): Promise<void> {
  await writeFileAtomic(file, jsonText(value), options);
}

/**
 * A file of a run that is not locked yet: atomic, not yet durable (see above). Asynchronous even
 * for small files: creating a file can wait on the file system's journal while other runs fsync,
 * and that wait belongs on the thread pool, not on the event loop.
 */
export async function writeRunFile(file: string, data: string): Promise<void> {
  const tmp = tempPath(file);
  await fs.writeFile(tmp, data, { flag: 'wx', mode: 0o644 });
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export async function writeRunJson(file: string, value: unknown): Promise<void> {
  await writeRunFile(file, jsonText(value));
}

/** fsyncs files and directories, all at once (the file system commits them together). */
export async function syncPaths(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((p) => new Promise<void>((resolve, reject) => {
    const fd = openSync(p, 'r');
    fsync(fd, (err) => {
      closeSync(fd);
      if (err) reject(err);
      else resolve();
    });
  })));
}

/** Copies the listed files (relative paths) from one folder into a new one. */
export async function copyFiles(from: string, to: string, relPaths: readonly string[]): Promise<void> {
  await fs.mkdir(to);
  const dirs = new Set(relPaths.map((p) => path.dirname(p)).filter((d) => d !== '.'));
  for (const dir of [...dirs].sort()) await fs.mkdir(path.join(to, dir), { recursive: true });
  await Promise.all(relPaths.map((p) => fs.copyFile(path.join(from, p), path.join(to, p), fsConstants.COPYFILE_EXCL)));
}

const jsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

// Unique per process (pid, plus a random tag in case a crashed process left files under a reused
// pid) and per call.
const processTag = `${process.pid}.${randomBytes(4).toString('hex')}`;
let tempCount = 0;

function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${processTag}.${tempCount++}.tmp`);
}

async function writeTemp(file: string, data: string | Uint8Array): Promise<string> {
  const tmp = tempPath(file);
  const handle = await fs.open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  return tmp;
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
