import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TRIB = join(import.meta.dirname, '../../../src/cli/trib.mjs');

/** `trib serve` in a child process on a fresh data directory and a free port. */
export interface TribServe {
  port: number;
  bootstrap: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything it wrote on stdout and stderr so far. */
  output(): string;
  /** SIGTERM, and waits for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and port. */
  restart(): Promise<void>;
  /** Stops it if running and removes the data directory. */
  dispose(): Promise<void>;
}

/**
 * `nodeArgs`: options for node itself, before the script (as `trib`'s first line gives them when
 * it is run as a command; `node trib.mjs` alone does not read that line).
 */
export async function startTribServe(
  options: { dataDir?: string; args?: string[]; nodeArgs?: string[] } = {},
): Promise<TribServe> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'trib-serve-'));
  let out = '';
  let child!: ChildProcess;
  let port = 0;
  const launch = (wanted: number) =>
    new Promise<number>((resolve, reject) => {
      child = spawn(
        process.execPath,
        [
          ...(options.nodeArgs ?? []),
          TRIB,
          'serve',
          '--data-dir',
          dataDir,
          '--port',
          String(wanted),
          '--no-registry',
          ...(options.args ?? []),
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Kafka broker listening on [^:]+:(\d+)/.exec(
          out.slice(out.lastIndexOf('Kafka broker listening')),
        );
        if (match !== null) resolve(Number(match[1]));
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.once('exit', (code) => reject(new Error(`trib serve exited with ${code} before listening:\n${out}`)));
    });
  port = await launch(0);
  const exited = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
  const handle: TribServe = {
    port,
    bootstrap: `127.0.0.1:${port}`,
    dataDir,
    get process() {
      return child;
    },
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      return exited();
    },
    async kill() {
      child.kill('SIGKILL');
      await exited();
    },
    async restart() {
      await launch(port);
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** Runs a program to completion and returns its output; throws with its stderr when it fails. */
export function run(
  command: string,
  args: string[],
  options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): string {
  const result = spawnSync(command, args, {
    input: options.input,
    timeout: options.timeoutMs ?? 60_000,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
  });
  if (result.error !== undefined) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

/** The Debian Python, which has python3-kafka (a pyenv shim first on PATH may not). */
export function python(): string {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import kafka'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  throw new Error('No python3 with the kafka module: apt-get install python3-kafka');
}
