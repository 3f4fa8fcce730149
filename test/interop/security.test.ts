/**
 * Real clients against `trib serve` with security on, in a child process: kcat (librdkafka) and
 * kafka-python authenticate over SASL_SSL with SCRAM-SHA-512, SCRAM-SHA-256, PLAIN and OAUTHBEARER,
 * and are refused for a wrong password, an unknown user, an expired token, a client certificate
 * from another CA and a PLAINTEXT client on a SASL listener; the broker logs no stack trace.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { SecurityStore } from '../../src/security/store.ts';
import { tls } from '../broker/security/fixtures.ts';
import { python, run } from './broker/trib-serve.ts';

const TRIB = join(import.meta.dirname, '../../src/cli/trib.mjs');
const PASSWORD = 'interop-Secret-9';
let dataDir: string;
let child: ChildProcess;
let output = '';
const ports: Record<string, number> = {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'trib-interop-sec-'));
  const log = await openLog({ dataDir });
  const store = await SecurityStore.open(log);
  await store.upsertScram('alice', 'SCRAM-SHA-512', PASSWORD);
  await store.upsertScram('alice', 'SCRAM-SHA-256', PASSWORD);
  await log.close();
  child = spawn(
    process.execPath,
    [
      TRIB,
      'serve',
      '--data-dir',
      dataDir,
      '--no-registry',
      '--listener',
      'SASL_SSL://127.0.0.1:0',
      '--listener',
      'SASL_PLAINTEXT://127.0.0.1:0',
      '--listener',
      'SSL://127.0.0.1:0',
      '--ssl-cert',
      join(tls.dir, 'server-cert.pem'),
      '--ssl-key',
      join(tls.dir, 'server-key.pem'),
      '--ssl-ca',
      join(tls.dir, 'ca-cert.pem'),
      '--ssl-client-auth',
      'requested',
      '--sasl-mechanism',
      'SCRAM-SHA-512',
      '--sasl-mechanism',
      'SCRAM-SHA-256',
      '--sasl-mechanism',
      'PLAIN',
      '--sasl-mechanism',
      'OAUTHBEARER',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const m of output.matchAll(/listening on (\w+):\/\/127\.0\.0\.1:(\d+)/g)) ports[m[1]!] = Number(m[2]);
      if (Object.keys(ports).length === 3) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`trib serve exited with ${code}:\n${output}`)));
  });
});

afterAll(async () => {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
});

const ca = join(tls.dir, 'ca-cert.pem');

function kcat(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('kcat', args, { input, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const saslSsl = (mechanism: string, user: string, password: string) => [
  '-b',
  `127.0.0.1:${ports.SASL_SSL}`,
  '-X',
  'security.protocol=SASL_SSL',
  '-X',
  `sasl.mechanisms=${mechanism}`,
  '-X',
  `sasl.username=${user}`,
  '-X',
  `sasl.password=${password}`,
  '-X',
  `ssl.ca.location=${ca}`,
];

describe('kcat (librdkafka)', () => {
  it.each(['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'])('%s over SASL_SSL: produce, consume, metadata', (mechanism) => {
    const topic = `kcat-${mechanism.toLowerCase()}`;
    const produced = kcat([...saslSsl(mechanism, 'alice', PASSWORD), '-P', '-t', topic], 'one\ntwo\n');
    expect(produced.status, produced.stderr).toBe(0);
    const consumed = kcat([...saslSsl(mechanism, 'alice', PASSWORD), '-C', '-t', topic, '-o', 'beginning', '-e', '-q']);
    expect(consumed.stdout.trim().split('\n')).toEqual(['one', 'two']);
    const metadata = JSON.parse(kcat([...saslSsl(mechanism, 'alice', PASSWORD), '-L', '-J']).stdout);
    expect(metadata.brokers[0]).toMatchObject({ id: 1, name: `127.0.0.1:${ports.SASL_SSL}` });
    expect(metadata.topics.map((t: { topic: string }) => t.topic)).toContain(topic);
  });

  it('OAUTHBEARER with librdkafka’s unsecured JWT', () => {
    const r = kcat([
      '-b',
      `127.0.0.1:${ports.SASL_SSL}`,
      '-X',
      'security.protocol=SASL_SSL',
      '-X',
      'sasl.mechanisms=OAUTHBEARER',
      '-X',
      'enable.sasl.oauthbearer.unsecure.jwt=true',
      '-X',
      'sasl.oauthbearer.config=principal=carol lifeSeconds=600',
      '-X',
      `ssl.ca.location=${ca}`,
      '-L',
      '-J',
    ]);
    expect(r.status, r.stderr).toBe(0);
  });

  it.each([
    ['a wrong password', 'SCRAM-SHA-512', 'alice', 'wrong-password'],
    ['an unknown user', 'SCRAM-SHA-512', 'mallory', PASSWORD],
    ['a wrong PLAIN password', 'PLAIN', 'alice', 'wrong-password'],
  ])('refuses %s', (_what, mechanism, user, password) => {
    const r = kcat([...saslSsl(mechanism, user, password), '-L', '-m', '5']);
    expect(r.status).not.toBe(0);
    expect(r.stderr, r.stderr).toMatch(/Authentication fail|SASL authentication error/i);
  });

  it('refuses a client certificate from another CA on the SSL listener', () => {
    const r = kcat([
      '-b',
      `127.0.0.1:${ports.SSL}`,
      '-X',
      'security.protocol=SSL',
      '-X',
      `ssl.ca.location=${ca}`,
      '-X',
      `ssl.certificate.location=${join(tls.dir, 'rogue-client-cert.pem')}`,
      '-X',
      `ssl.key.location=${join(tls.dir, 'rogue-client-key.pem')}`,
      '-L',
      '-m',
      '5',
    ]);
    expect(r.status).not.toBe(0);
  });

  it('accepts a client certificate from the broker’s CA on the SSL listener', () => {
    const r = kcat([
      '-b',
      `127.0.0.1:${ports.SSL}`,
      '-X',
      'security.protocol=SSL',
      '-X',
      `ssl.ca.location=${ca}`,
      '-X',
      `ssl.certificate.location=${join(tls.dir, 'client-cert.pem')}`,
      '-X',
      `ssl.key.location=${join(tls.dir, 'client-key.pem')}`,
      '-L',
      '-J',
    ]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('refuses a PLAINTEXT client on the SASL listener', () => {
    const r = kcat(['-b', `127.0.0.1:${ports.SASL_PLAINTEXT}`, '-X', 'security.protocol=PLAINTEXT', '-L', '-m', '5']);
    expect(r.status).not.toBe(0);
  });
});

const PYTHON = `
import json, ssl, sys, time
from kafka import KafkaProducer, KafkaConsumer, KafkaAdminClient
from kafka.oauth.abstract import AbstractTokenProvider
import base64

port, ca, mechanism, user, password, mode = sys.argv[1:7]
def b64(o):
    return base64.urlsafe_b64encode(json.dumps(o).encode()).decode().rstrip('=')
class Tokens(AbstractTokenProvider):
    def token(self):
        now = int(time.time())
        exp = now - 60 if mode == 'expired' else now + 600
        return b64({'alg': 'none'}) + '.' + b64({'sub': 'carol', 'iat': now - 120, 'exp': exp}) + '.'
common = dict(bootstrap_servers='127.0.0.1:' + port, security_protocol='SASL_SSL', ssl_cafile=ca,
              sasl_mechanism=mechanism, api_version=(2, 5, 0), max_block_ms=10000)
if mechanism == 'OAUTHBEARER':
    common['sasl_oauth_token_provider'] = Tokens()
else:
    common['sasl_plain_username'] = user
    common['sasl_plain_password'] = password
try:
    producer = KafkaProducer(**common)
    meta = producer.send('py-secure', b'hello').get(timeout=20)
    producer.close()
    consumer_options = dict(common)
    del consumer_options['max_block_ms']
    consumer = KafkaConsumer('py-secure', auto_offset_reset='earliest', consumer_timeout_ms=5000, **consumer_options)
    values = [m.value.decode() for m in consumer]
    consumer.close()
    print(json.dumps({'ok': True, 'offset': meta.offset, 'values': values}))
except Exception as e:
    print(json.dumps({'ok': False, 'error': type(e).__name__, 'message': str(e)}))
`;

describe('kafka-python', () => {
  const py = (mechanism: string, user: string, password: string, mode = 'valid') =>
    JSON.parse(
      run(python(), ['-c', PYTHON, String(ports.SASL_SSL), ca, mechanism, user, password, mode], {
        timeoutMs: 60_000,
      }).trim(),
    );

  it.each(['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'])('%s over SASL_SSL: produce and consume', (mechanism) => {
    const r = py(mechanism, 'alice', PASSWORD);
    expect(r.ok, r.message).toBe(true);
    expect(r.values).toContain('hello');
  });

  it('OAUTHBEARER with an unsecured JWT', () => {
    expect(py('OAUTHBEARER', '', '').ok).toBe(true);
  });

  it.each([
    ['a wrong password', 'SCRAM-SHA-512', 'alice', 'nope', 'valid'],
    ['an unknown user', 'SCRAM-SHA-256', 'mallory', PASSWORD, 'valid'],
    ['an expired token', 'OAUTHBEARER', '', '', 'expired'],
  ])('refuses %s', (_what, mechanism, user, password, mode) => {
    const r = py(mechanism, user, password, mode);
    expect(r.ok).toBe(false);
  });
});

it('the broker logged no stack trace and no password', () => {
  expect(output).not.toMatch(/\n\s+at /);
  expect(output).not.toContain(PASSWORD);
  expect(output).not.toContain('wrong-password');
});
