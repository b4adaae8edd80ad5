import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';

// Readers never see a half-written file: write a temp file beside the target, fsync it, rename it
// over the target, fsync the directory so the rename itself survives a crash. A caller writing
// several files into one folder may pass syncDir: false and fsync the folder once at the end.
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
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, options);
}

/** Copies the listed files (relative paths) from one folder into a new one. */
export async function copyFiles(from: string, to: string, relPaths: readonly string[]): Promise<void> {
  await fs.mkdir(to);
  const dirs = new Set(relPaths.map((p) => path.dirname(p)).filter((d) => d !== '.'));
  for (const dir of [...dirs].sort()) await fs.mkdir(path.join(to, dir), { recursive: true });
  await Promise.all(relPaths.map((p) => fs.copyFile(path.join(from, p), path.join(to, p), fsConstants.COPYFILE_EXCL)));
}

async function writeTemp(file: string, data: string | Uint8Array): Promise<string> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
