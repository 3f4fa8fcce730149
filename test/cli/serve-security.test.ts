import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { SecurityStore } from '../../src/security/store.ts';
import { tls } from '../broker/security/fixtures.ts';
import { start, watch } from './run-trib.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'trib-serve-sec-'));
  const log = await openLog({ dataDir });
  await (await SecurityStore.open(log)).upsertScram('alice', 'SCRAM-SHA-512', 'alice-pw');
  await log.close();
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

it('trib serve with SASL_SSL and PLAINTEXT listeners, an authorizer and a registry that needs credentials', {
  timeout: 90_000,
}, async () => {
  const child = start([
    'serve',
    '--data-dir',
    dataDir,
    '--listener',
    'SASL_SSL://127.0.0.1:0',
    '--listener',
    'PLAINTEXT://127.0.0.1:0',
    '--ssl-cert',
    join(tls.dir, 'server-cert.pem'),
    '--ssl-key',
    join(tls.dir, 'server-key.pem'),
    '--sasl-mechanism',
    'SCRAM-SHA-512',
    '--authorizer',
    '--super-users',
    'User:alice',
    '--max-connections-per-ip',
    '50',
    '--registry-port',
    '0',
    '--registry-user',
    'admin:admin-pw:admin',
  ]);
  const w = watch(child);
  try {
    await w.until('stdout', /Schema registry listening on (\S+)/);
    const out = w.out();
    const sasl = /listening on SASL_SSL:\/\/127\.0\.0\.1:(\d+)/.exec(out)!;
    const plain = /listening on PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/.exec(out)!;
    const registry = /Schema registry listening on (\S+)/.exec(out)![1]!;
    const kafka = (port: string, extra: object) =>
      new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ...extra });
    const alice = kafka(sasl[1]!, {
      ssl: { ca: [tls.ca] },
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-pw' },
    }).admin();
    await alice.connect();
    await alice.createTopics({ topics: [{ topic: 'secured' }] });
    expect(await alice.listTopics()).toContain('secured');
    await alice.disconnect();
    // The PLAINTEXT listener's clients are User:ANONYMOUS, who has no ACL.
    const anonymous = kafka(plain[1]!, {}).admin();
    await anonymous.connect();
    expect(await anonymous.listTopics()).not.toContain('secured');
    await anonymous.disconnect();
    const unauthenticated = await fetch(`${registry}/subjects/x/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema: '"string"' }),
    });
    expect(unauthenticated.status).toBe(401);
    const admin = await fetch(`${registry}/subjects`, {
      headers: { authorization: `Basic ${Buffer.from('admin:admin-pw').toString('base64')}` },
    });
    expect(admin.status).toBe(200);
  } finally {
    child.kill('SIGTERM');
    const result = await w.ended;
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout + result.stderr).not.toContain('alice-pw');
  }
});
