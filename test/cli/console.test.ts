import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { nodeArgs } from '../setup/node-args.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TRIB = join(ROOT, 'src/cli/trib.ts');

/** Starts `trib …`, waits for a line matching `ready`, and hands back its match and the child. */
async function start(args: string[], ready: RegExp) {
  const child = spawn(process.execPath, [...nodeArgs(TRIB), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = once(child, 'exit');
  for (;;) {
    const match = ready.exec(out);
    if (match !== null) return { child, match, exited, output: () => out };
    const step = await Promise.race([once(child.stdout, 'data').then(() => 'data'), exited.then(() => 'exit')]);
    if (step === 'exit') throw new Error(`trib exited before it was ready:\n${out}`);
  }
}

describe('trib console', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trib-console-cli-'));
    const log = await openLog({ dataDir });
    await log.createTopic({ topic: 'orders', numPartitions: 2 });
    await log.close();
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('should serve the console over a data directory on loopback, read-only when asked, until SIGTERM', {
    timeout: 90_000,
  }, async () => {
    const { child, match, exited } = await start(
      ['console', '--data-dir', dataDir, '--port', '0', '--read-only'],
      /Console of .* listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    const url = match[1]!;
    const overview = (await (await fetch(`${url}/api/overview`)).json()) as { topics: number; readOnly: boolean };
    expect(overview).toMatchObject({ topics: 1, readOnly: true });
    const refused = await fetch(`${url}/api/topics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'x' }),
    });
    expect(refused.status).toBe(403);
    expect((await fetch(`${url}/`)).headers.get('content-security-policy')).toContain("script-src 'self'");
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('should run beside the broker with trib serve --console', { timeout: 90_000 }, async () => {
    const { child, match, exited } = await start(
      ['serve', '--data-dir', dataDir, '--port', '0', '--registry-port', '0', '--console', '0'],
      /Console listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    const url = match[1]!;
    const topics = (await (await fetch(`${url}/api/topics`)).json()) as { topics: { name: string }[] };
    expect(topics.topics.map((t) => t.name)).toEqual(['orders']);
    const subjects = await fetch(`${url}/api/registry/subjects`);
    expect(await subjects.json()).toEqual([]);
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('should ask for credentials with --user, and give each role its rights', { timeout: 90_000 }, async () => {
    const { child, match, exited } = await start(
      ['console', '--data-dir', dataDir, '--port', '0', '--user', 'viewer:v-pass:read'],
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    const url = match[1]!;
    const unauthenticated = await fetch(`${url}/api/topics`);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('www-authenticate')).toContain('Basic');
    const authorization = `Basic ${Buffer.from('viewer:v-pass').toString('base64')}`;
    expect((await fetch(`${url}/api/topics`, { headers: { authorization } })).status).toBe(200);
    const write = await fetch(`${url}/api/topics`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'x' }),
    });
    expect(write.status).toBe(403);
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('should show a remote broker over -b, and a directory trib serve owns through that broker', {
    timeout: 120_000,
  }, async () => {
    const serveDir = await mkdtemp(join(tmpdir(), 'trib-console-wire-'));
    const broker = await start(
      ['serve', '--data-dir', serveDir, '--port', '0', '--registry-port', '0'],
      /Schema registry listening on (\S+)/,
    );
    const address = /Kafka broker listening on (\S+)/.exec(broker.output())![1]!;
    try {
      const remote = await start(
        ['console', '-b', address, '--port', '0', '-r', broker.match[1]!],
        /listening on (http:\S+)/,
      );
      const url = remote.match[1]!;
      const json = { 'content-type': 'application/json' };
      const created = await fetch(`${url}/api/topics`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ topic: 'remote', numPartitions: 2, configs: { 'retention.ms': '3600000' } }),
      });
      expect(created.status).toBe(201);
      for (const value of ['a', 'b', 'c']) {
        const sent = await fetch(`${url}/api/topics/remote/messages`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ value, partition: 1 }),
        });
        expect(sent.status).toBe(201);
      }
      const topic = (await (await fetch(`${url}/api/topics/remote`)).json()) as {
        partitionList: { highWatermark: number }[];
        configs: { name: string; value: string; override: boolean }[];
      };
      expect(topic.partitionList.map((p) => p.highWatermark)).toEqual([0, 3]);
      expect(topic.configs).toContainEqual({ name: 'retention.ms', value: '3600000', override: true });
      const page = (await (await fetch(`${url}/api/topics/remote/messages?from=beginning`)).json()) as {
        records: { partition: number; offset: number; value: { text: string } }[];
      };
      expect(page.records.map((r) => [r.partition, r.offset, r.value.text])).toEqual([
        [1, 0, 'a'],
        [1, 1, 'b'],
        [1, 2, 'c'],
      ]);
      expect(await (await fetch(`${url}/api/registry/subjects`)).json()).toEqual([]);
      remote.child.kill('SIGTERM');
      expect((await remote.exited)[0]).toBe(0);

      // The directory is the broker's: the console goes through it.
      const local = await start(
        ['console', '--data-dir', serveDir, '--port', '0'],
        /Console of (.*) listening on (http:\S+)/,
      );
      expect(local.match[1]).toContain('through trib serve');
      const topics = (await (await fetch(`${local.match[2]}/api/topics`)).json()) as { topics: { name: string }[] };
      expect(topics.topics.map((t) => t.name)).toContain('remote');
      local.child.kill('SIGTERM');
      expect((await local.exited)[0]).toBe(0);
    } finally {
      broker.child.kill('SIGTERM');
      await broker.exited;
      await rm(serveDir, { recursive: true, force: true });
    }
  });
});
