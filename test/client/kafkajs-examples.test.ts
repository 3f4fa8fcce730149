import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const TRIB = join(ROOT, 'src/cli/trib.mjs');
const EXAMPLES = join(ROOT, 'examples/kafkajs-port/broker');

/** Runs one example program as its own process, as kafkajs runs its examples, and returns its stdout. */
function runExample(name: string, env: Record<string, string>): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(EXAMPLES, `${name}.ts`)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? done(out.trim()) : fail(new Error(`${name} exited ${code}: ${err}`))));
  });
}

describe('examples/kafkajs-port/broker against trib serve', () => {
  let dataDir: string;
  let server: ChildProcess;
  let broker: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trib-examples-'));
    server = spawn(process.execPath, [TRIB, 'serve', '--data-dir', dataDir, '--port', '0', '--registry-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    server.stderr!.on('data', (d) => (out += d));
    server.stdout!.on('data', (d) => (out += d));
    while (!/Kafka broker listening on 127\.0\.0\.1:\d+/.test(out)) await once(server.stdout!, 'data');
    broker = `127.0.0.1:${/Kafka broker listening on 127\.0\.0\.1:(\d+)/.exec(out)![1]}`;
  }, 90_000);

  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('should create the topic, produce 30 messages and consume all of them when admin, producer and consumer run in turn', {
    timeout: 120_000,
  }, async () => {
    const admin = JSON.parse(await runExample('admin', { BROKER: broker, TOPIC: 'events' }));
    expect(admin).toEqual({ created: true, brokers: 1, listed: true, partitions: 3 });
    expect(await runExample('producer', { BROKER: broker, TOPIC: 'events', COUNT: '30' })).toBe('sent 30');
    const consumed = /^consumed (\d+) (.*)$/.exec(
      await runExample('consumer', { BROKER: broker, TOPIC: 'events', EXPECT: '30' }),
    )!;
    expect(Number(consumed[1])).toBe(30);
    expect(JSON.parse(consumed[2]!)).toEqual({ 'user-0': 6, 'user-1': 6, 'user-2': 6, 'user-3': 6, 'user-4': 6 });
  });

  it('should show only the committed transaction to a read_committed consumer when the transactions example runs', {
    timeout: 120_000,
  }, async () => {
    expect(await runExample('transactions', { BROKER: broker, TOPIC: 'payments' })).toBe('visible 5 committed');
  });
});
