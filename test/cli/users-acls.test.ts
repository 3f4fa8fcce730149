import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serve } from '../../src/broker/index.ts';
import { runCli } from '../../src/cli/main.ts';
import { openLog } from '../../src/log/index.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'trib-users-'));
  const log = await openLog({ dataDir });
  await log.close();
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

async function trib(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const input = new PassThrough();
  input.end(stdin);
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await runCli([...args, '--data-dir', dataDir], { stdin: input, stdout: out, stderr: err, env: {} });
  return { code, stdout, stderr };
}

describe('trib users', () => {
  it('create (password from stdin), list without secrets, delete; the broker then authenticates the user', async () => {
    expect(
      (await trib(['users', 'create', 'alice', '--password-stdin', '--mechanism', 'SCRAM-SHA-512'], 'pw-ALICE\n')).code,
    ).toBe(0);
    const created = await trib(['users', 'create', 'bob', '--password', 'pw-BOB', '--iterations', '8192']);
    expect(created.stdout).toBe('User bob: SCRAM-SHA-256, SCRAM-SHA-512 credentials stored\n');
    const listed = await trib(['users', 'list']);
    expect(listed.stdout).toBe(
      'alice\tSCRAM-SHA-512(iterations=4096)\nbob\tSCRAM-SHA-256(iterations=8192) SCRAM-SHA-512(iterations=8192)\n',
    );
    expect(listed.stdout + created.stdout).not.toMatch(/pw-/);
    expect((await trib(['users', 'delete', 'bob'])).code).toBe(0);
    expect((await trib(['users', 'delete', 'bob'])).code).toBe(1);
    expect(JSON.parse((await trib(['users', 'list', '--json'])).stdout)).toEqual([
      { user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 4096 }] },
    ]);
    const broker = await serve({ dataDir, listeners: ['SASL_PLAINTEXT://127.0.0.1:0'], logLevel: 0 });
    try {
      const admin = new Kafka({
        brokers: [`127.0.0.1:${broker.address().port}`],
        sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'pw-ALICE' },
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      }).admin();
      await admin.connect();
      await admin.disconnect();
    } finally {
      await broker.close();
    }
  });

  it('refuses bad input with a usage error', async () => {
    expect((await trib(['users', 'create', 'x'])).code).toBe(2);
    expect((await trib(['users', 'create', 'x', '--password', 'p', '--mechanism', 'MD5'])).code).toBe(2);
    expect((await trib(['users', 'create', 'x', '--password', 'p', '--iterations', '10'])).code).not.toBe(0);
  });
});

describe('trib acls', () => {
  it('add, list (by resource, principal, match), remove, as kafka-acls.sh', async () => {
    const added = await trib([
      'acls',
      'add',
      '--allow-principal',
      'User:bob',
      '--operation',
      'Read',
      '--operation',
      'Describe',
      '--topic',
      'orders-',
      '--resource-pattern-type',
      'prefixed',
    ]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Added 2 ACLs');
    await trib([
      'acls',
      'add',
      '--deny-principal',
      'User:eve',
      '--operation',
      'All',
      '--group',
      'billing',
      '--cluster',
    ]);
    const all = JSON.parse((await trib(['acls', 'list', '--json'])).stdout);
    expect(all).toHaveLength(4);
    const forOrders = await trib(['acls', 'list', '--topic', 'orders-eu', '--resource-pattern-type', 'match']);
    expect(forOrders.stdout).toBe(
      'TOPIC:PREFIXED:orders-\tUser:bob has ALLOW permission for operation READ from host *\n' +
        'TOPIC:PREFIXED:orders-\tUser:bob has ALLOW permission for operation DESCRIBE from host *\n',
    );
    expect(JSON.parse((await trib(['acls', 'list', '--principal', 'User:eve', '--json'])).stdout)).toHaveLength(2);
    const removed = await trib(['acls', 'remove', '--group', 'billing']);
    expect(removed.stdout).toMatch(/^Removed 1 ACL:/);
    expect(JSON.parse((await trib(['acls', 'list', '--json'])).stdout)).toHaveLength(3);
    expect((await trib(['acls', 'add', '--topic', 't', '--operation', 'Read'])).code).toBe(2);
    expect(
      (await trib(['acls', 'add', '--allow-principal', 'bob', '--topic', 't', '--operation', 'Read'])).code,
    ).not.toBe(0);
  });
});
