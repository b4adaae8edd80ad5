import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { statSync } from 'node:fs';
import { release } from 'node:os';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

type Shell = ChildProcessByStdio<Writable, Readable, null>;

// Group commit, on Linux: one syncfs(2) makes everything written to a filesystem durable, so the
// callers that ask while one is under way share the next one instead of each fsyncing its files
// (locking a run is a dozen fsyncs; one syncfs covers the locks of several runs, see bench/README).
// syncfs is reached through coreutils' `sync -f`, run by one long-lived shell started on first
// use, so this process never forks for it: the main thread writes a path to the shell's stdin and
// reads the exit status back. When a group fails (no shell, a `sync` without -f, an I/O error),
// group syncing stops for the rest of the process, and its callers fsync their own paths, which
// reports an I/O error against the file it belongs to.
const SYNC_LOOP = 'while IFS= read -r p; do sync -f -- "$p" 2>/dev/null; echo $?; done';

interface Waiter {
  /** One path per filesystem (device number) the caller needs synced. */
  targets: Map<number, string>;
  done: (synced: boolean) => void;
}

export class FilesystemSync {
  private shell: Shell | undefined;
  private off = false;
  private queued: Waiter[] = [];
  private running: Waiter[] | undefined;
  private answersDue = 0;
  private groupFailed = false;
  private pendingOutput = '';

  constructor(private readonly command: readonly [string, ...string[]] = ['/bin/sh', '-c', SYNC_LOOP]) {}

  /**
   * Makes `paths` durable with the next syncfs of each filesystem they are on; false (nothing
   * done) when group syncing is off or a path cannot be used, and the caller must fsync them itself.
   */
  sync(paths: readonly string[]): Promise<boolean> {
    if (this.off) return Promise.resolve(false);
    const targets = new Map<number, string>();
    for (const p of paths) {
      // A path the shell cannot read back as one line, or that cannot be looked at: the caller's
      // own fsync gives the error, if any.
      if (p.includes('\n')) return Promise.resolve(false);
      let dev: number;
      try {
        dev = statSync(p).dev;
      } catch {
        return Promise.resolve(false);
      }
      if (!targets.has(dev)) targets.set(dev, p);
    }
    return new Promise((done) => {
      this.queued.push({ targets, done });
      this.startNext();
    });
  }

  // Everyone who asked while the last group ran goes in the next one, one `sync -f` per filesystem.
  private startNext(): void {
    if (this.running !== undefined || this.queued.length === 0) return;
    const shell = this.off ? undefined : (this.shell ?? this.startShell());
    if (shell === undefined) {
      this.finish(this.queued.splice(0), false);
      return;
    }
    const group = this.queued.splice(0);
    const targets = new Map<number, string>();
    for (const waiter of group) for (const [dev, p] of waiter.targets) if (!targets.has(dev)) targets.set(dev, p);
    this.running = group;
    this.answersDue = targets.size;
    this.groupFailed = false;
    this.hold(shell, true);
    shell.stdin.write([...targets.values()].map((p) => `${p}\n`).join(''));
  }

  private startShell(): Shell | undefined {
    let shell: Shell;
    try {
      // A process group of its own: Ctrl-C on a terminal stops `run` gently (cli/run.ts), and the
      // locks it still makes need the shell. It ends when this process does (its stdin closes).
      shell = spawn(this.command[0], this.command.slice(1), { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, detached: true });
    } catch {
      this.off = true;
      return undefined;
    }
    shell.stdout.setEncoding('utf8');
    shell.stdout.on('data', (text: string) => this.answer(text));
    const gone = (): void => this.stop();
    shell.on('error', gone);
    shell.on('exit', gone);
    shell.stdin.on('error', gone);
    shell.stdout.on('error', gone);
    this.shell = shell;
    return shell;
  }

  private answer(text: string): void {
    // Output that comes after the shell was given up on (its exit can be seen first) is no answer.
    if (this.running === undefined) return;
    this.pendingOutput += text;
    for (let end = this.pendingOutput.indexOf('\n'); end >= 0; end = this.pendingOutput.indexOf('\n')) {
      if (this.pendingOutput.slice(0, end) !== '0') this.groupFailed = true;
      this.pendingOutput = this.pendingOutput.slice(end + 1);
      if (--this.answersDue > 0) continue;
      const group = this.running!;
      this.running = undefined;
      if (this.groupFailed) this.stop();
      else this.hold(this.shell!, false);
      this.finish(group, !this.groupFailed);
      this.startNext();
    }
  }

  // No more group syncs in this process: whoever is waiting fsyncs on their own.
  private stop(): void {
    this.off = true;
    const shell = this.shell;
    this.shell = undefined;
    if (shell !== undefined) {
      this.hold(shell, false);
      shell.stdin.end();
    }
    const waiting = [...(this.running ?? []), ...this.queued.splice(0)];
    this.running = undefined;
    this.finish(waiting, false);
  }

  // The idle shell must not keep the process alive; one with a sync under way must.
  private hold(shell: Shell, busy: boolean): void {
    if (busy) {
      shell.ref();
      (shell.stdout as Socket).ref();
    } else {
      shell.unref();
      (shell.stdout as Socket).unref();
    }
  }

  private finish(waiters: readonly Waiter[], synced: boolean): void {
    for (const waiter of waiters) waiter.done(synced);
  }
}

// syncfs reports write-back errors (an I/O error while writing a file out) from Linux 5.8 on;
// before, it said nothing of them, and an fsync of each file is the only way to hear.
export function syncfsReportsErrors(platform: string = process.platform, kernel: string = release()): boolean {
  const [major = 0, minor = 0] = kernel.split('.').map((n) => Number.parseInt(n, 10));
  return platform === 'linux' && (major > 5 || (major === 5 && minor >= 8));
}
