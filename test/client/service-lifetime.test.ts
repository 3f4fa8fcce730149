import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeArgs } from '../setup/node-args.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const WORKER = join(import.meta.dirname, 'fixtures', 'service-worker.ts');

function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').includes(line)) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`the worker exited (${code}) before printing "${line}"; stdout: ${out}`)),
    );
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('a running service keeps its process alive until it is stopped', () => {
  for (const mode of ['consumer', 'streams'] as const) {
    it(`should keep a ${mode}-only process running once caught up, and let it end by itself after stop`, async () => {
      const child = spawn(process.execPath, [...nodeArgs(WORKER), mode], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const exit = exited(child);
      await waitForLine(child, 'caught-up');
      // Caught up and idle: a kafkajs service is still running. (A wall-clock pause: what is
      // tested is that the process does not end by itself, which nothing else could show.)
      const early = await Promise.race([
        exit,
        new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 750)),
      ]);
      expect(early).toBe('running');
      child.stdin!.write('stop\n');
      // Stopped, the idle internals (unref'd) do not hold the process: it exits with 0 by itself.
      expect(await exit).toBe(0);
    }, 30_000);
  }
});
