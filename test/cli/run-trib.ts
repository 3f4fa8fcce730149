/** Runs the real `trib` process for the CLI tests: to completion, or started and driven by signals. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { nodeArgs } from '../setup/node-args.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
const TRIB = join(ROOT, 'src/cli/trib.ts');

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `trib args…`; the caller writes stdin and sends signals. */
export function start(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...nodeArgs(TRIB), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A started process's output so far, and its end. */
export function watch(child: ChildProcessWithoutNullStreams): {
  out: () => string;
  err: () => string;
  ended: Promise<Result>;
  until(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<void>;
} {
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d) => {
    stdout += d;
    for (const w of [...waiters]) w();
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of [...waiters]) w();
  });
  const ended = new Promise<Result>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
  return {
    out: () => stdout,
    err: () => stderr,
    ended,
    until: (stream, pattern) =>
      new Promise((done, fail) => {
        const check = () => {
          if (pattern.test(stream === 'stdout' ? stdout : stderr)) {
            waiters.splice(waiters.indexOf(check), 1);
            done();
          }
        };
        waiters.push(check);
        ended.then((r) =>
          fail(new Error(`trib ended (${r.code ?? r.signal}) before ${pattern} on ${stream}: ${r.stderr}`)),
        );
        check();
      }),
  };
}

/** Runs `trib args…` with `input` on stdin to its end. */
export function trib(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Result> {
  const child = start(args, options.env);
  const { ended } = watch(child);
  child.stdin.end(options.input ?? '');
  return ended;
}
