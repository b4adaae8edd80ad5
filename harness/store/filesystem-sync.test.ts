import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../test-support/temp-dir.js';
import { FilesystemSync, syncfsReportsErrors } from './filesystem-sync.js';

let dir: string;
let log: string;
tempDirPerTest('harness-syncfs-', (d) => {
  dir = d;
  log = path.join(d, 'requests.log');
});

// The real loop, logging each path it is asked to sync; `answer` replaces sync's exit status.
const loggingShell = (answer = '$?'): [string, ...string[]] => ['/bin/sh', '-c', `while IFS= read -r p; do echo "$p" >> '${log}'; sync -f -- "$p"; echo ${answer}; done`];
const requests = async (): Promise<string[]> => (await fs.readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);

async function files(n: number): Promise<string[]> {
  const paths = Array.from({ length: n }, (_, i) => path.join(dir, `f${i}`));
  await Promise.all(paths.map((p) => fs.writeFile(p, 'x')));
  return paths;
}

describe.runIf(process.platform === 'linux')('FilesystemSync', () => {
  it('syncs everyone who asked while a sync ran with one more sync', async () => {
    const group = new FilesystemSync(loggingShell());
    const paths = await files(10);
    expect(await Promise.all(paths.map((p) => group.sync([p, dir])))).toEqual(Array(10).fill(true));
    // The first caller's sync, then one for the nine who asked meanwhile.
    expect(await requests()).toEqual([paths[0], paths[1]]);
  });

  it('syncs each filesystem the paths are on once', async () => {
    const group = new FilesystemSync(loggingShell());
    const [file] = await files(1);
    expect(statSync('/proc').dev).not.toBe(statSync(file!).dev);
    expect(await group.sync([file!, dir, '/proc', '/proc/self'])).toBe(true);
    expect(await requests()).toEqual([file, '/proc']);
  });

  it('stops for good after a failed sync: its callers and later ones are told to fsync themselves', async () => {
    const group = new FilesystemSync(loggingShell('1'));
    const paths = await files(3);
    expect(await Promise.all(paths.map((p) => group.sync([p])))).toEqual([false, false, false]);
    expect(await group.sync([dir])).toBe(false);
    // The first caller's group failed; the two queued behind it were never sent.
    expect(await requests()).toEqual([paths[0]]);
  });

  it('tells the callers of a sync under way to fsync themselves when the shell dies', async () => {
    const group = new FilesystemSync(['/bin/sh', '-c', `read p; echo "$p" >> '${log}'; exit 3`]);
    const paths = await files(2);
    expect(await Promise.all(paths.map((p) => group.sync([p])))).toEqual([false, false]);
    expect(await group.sync([dir])).toBe(false);
    expect(await requests()).toEqual([paths[0]]);
  });

  it('ignores an answer that comes after the shell has exited', async () => {
    // The shell exits at once; a child it left behind answers later, on the same stdout.
    const group = new FilesystemSync(['/bin/sh', '-c', 'read p; (sleep 0.2; echo 0) & exit 0']);
    expect(await group.sync([dir])).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await group.sync([dir])).toBe(false);
  });

  it('says so when the shell cannot be started', async () => {
    const group = new FilesystemSync([path.join(dir, 'no-such-shell')]);
    expect(await group.sync(await files(2))).toBe(false);
    expect(await group.sync([dir])).toBe(false);
  });

  it('leaves a path it cannot look at to the caller, without asking the shell', async () => {
    const group = new FilesystemSync(loggingShell());
    expect(await group.sync([dir, path.join(dir, 'missing')])).toBe(false);
    expect(await group.sync([path.join(dir, 'line\nbreak')])).toBe(false);
    expect(await requests()).toEqual([]);
    // Still on for paths it can use.
    expect(await group.sync([dir])).toBe(true);
  });
});

describe('syncfsReportsErrors', () => {
  it('holds on Linux from 5.8 on, and nowhere else', () => {
    expect(['5.8.0', '5.15.0-91-generic', '6.1.0-18-amd64', '10.0'].map((k) => syncfsReportsErrors('linux', k))).toEqual([true, true, true, true]);
    expect(['5.7.19', '4.19.0-25-amd64', '3.10.0-1160.el7.x86_64', ''].map((k) => syncfsReportsErrors('linux', k))).toEqual([false, false, false, false]);
    expect(syncfsReportsErrors('darwin', '23.1.0')).toBe(false);
  });
});
