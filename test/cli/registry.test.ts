import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeArgs } from '../setup/node-args.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TRIB = join(ROOT, 'src/cli/trib.ts');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...nodeArgs(TRIB), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function trib(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((done, fail) => {
    const child = start(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** Starts `trib registry serve --port 0` and resolves with the URL it prints. */
async function serve(
  dataDir: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string; errors: () => string }> {
  const child = start(['registry', 'serve', '--port', '0', '--data-dir', dataDir], {});
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((done, fail) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const found = /listening on (http:\/\/\S+)/.exec(stdout);
      if (found) done(found[1]!);
    });
    child.on('close', (code) => fail(new Error(`trib registry serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, output: () => stdout, errors: () => stderr };
}

const userV1 = JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'id', type: 'long' }] });
const userV2 = JSON.stringify({
  type: 'record',
  name: 'User',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'email', type: 'string', default: '' },
  ],
});
/** A field without a default: a BACKWARD reader cannot read v1 data with it. */
const userRequired = JSON.stringify({
  type: 'record',
  name: 'User',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
  ],
});
const orderProto = 'syntax = "proto3";\npackage shop;\nmessage Order { int32 id = 1; }\n';

describe('trib registry and trib schemas', { timeout: 180_000 }, () => {
  let dir: string;
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trib-registry-'));
    await writeFile(file('v1.avsc'), userV1);
    await writeFile(file('v2.avsc'), userV2);
    await writeFile(file('required.avsc'), userRequired);
    await writeFile(file('order.proto'), orderProto);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should register, list, get, check, configure and delete schemas when run on a data dir', async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'flow') };
    const registered = await trib(['schemas', 'register', 'users-value', '--file', file('v1.avsc')], env);
    expect(registered).toMatchObject({ code: 0, stdout: 'Registered users-value version 1 (id 1)\n' });
    expect((await trib(['schemas', 'register', 'users-value', '--file', file('v1.avsc')], env)).stdout).toBe(
      'Already registered users-value version 1 (id 1)\n',
    );
    expect((await trib(['schemas', 'register', 'orders-value', '--file', file('order.proto')], env)).stdout).toContain(
      'version 1 (id 2)',
    );

    expect((await trib(['schemas', 'list'], env)).stdout).toBe('orders-value\nusers-value\n');
    const got = await trib(['schemas', 'get', 'orders-value', '--version', 'latest'], env);
    expect(JSON.parse(got.stdout)).toMatchObject({
      subject: 'orders-value',
      version: 1,
      id: 2,
      schemaType: 'PROTOBUF',
    });

    const compatible = await trib(['schemas', 'check', 'users-value', '--file', file('v2.avsc')], env);
    expect(compatible).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Compatible\n/) });
    const incompatible = await trib(
      ['schemas', 'check', 'users-value', '--file', file('required.avsc'), '--version', '1'],
      env,
    );
    expect(incompatible.code).toBe(1);
    expect(incompatible.stdout).toMatch(/^Incompatible\n/);
    expect(incompatible.stdout).toContain("field 'name'");
    const refused = await trib(['schemas', 'register', 'users-value', '--file', file('required.avsc')], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^trib: .*\(error_code 409\) \[INCOMPATIBLE_SCHEMA\]\n$/);

    expect((await trib(['schemas', 'config'], env)).stdout).toBe('BACKWARD\n');
    expect((await trib(['schemas', 'config', 'users-value', '--set', 'none'], env)).stdout).toBe('NONE\n');
    expect((await trib(['schemas', 'config', 'users-value'], env)).stdout).toBe('NONE\n');
    expect((await trib(['schemas', 'register', 'users-value', '--file', file('required.avsc')], env)).stdout).toContain(
      'version 2',
    );

    expect((await trib(['schemas', 'delete', 'users-value', '--version', '2'], env)).stdout).toBe(
      'Deleted users-value version(s) 2\n',
    );
    expect(JSON.parse((await trib(['schemas', 'get', 'users-value'], env)).stdout)).toMatchObject({ version: 1 });
    const early = await trib(['schemas', 'delete', 'orders-value', '--permanent'], env);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/\(error_code 40405\) \[SUBJECT_NOT_SOFT_DELETED\]\n$/);
    expect((await trib(['schemas', 'delete', 'orders-value'], env)).code).toBe(0);
    expect((await trib(['schemas', 'list'], env)).stdout).toBe('users-value\n');
    expect((await trib(['schemas', 'list', '--deleted'], env)).stdout).toBe('orders-value\nusers-value\n');
    expect((await trib(['schemas', 'delete', 'orders-value', '--permanent'], env)).stdout).toBe(
      'Permanently deleted orders-value version(s) 1\n',
    );
    expect((await trib(['schemas', 'list', '--deleted'], env)).stdout).toBe('users-value\n');
  });

  it('should serve the REST API on the port it prints and stop cleanly when sent SIGTERM', async () => {
    const dataDir = join(dir, 'serve');
    expect(
      (await trib(['schemas', 'register', 'users-value', '--file', file('v1.avsc'), '--data-dir', dataDir])).code,
    ).toBe(0);
    const server = await serve(dataDir);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.url).not.toMatch(/:0$/);
      const res = await fetch(`${server.url}/subjects`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(['users-value']);

      // The server owns the data dir now: trib schemas on it goes to the server, as --url does;
      // a command on the log is told who holds it.
      expect(await trib(['schemas', 'list', '--data-dir', dataDir])).toMatchObject({
        code: 0,
        stdout: 'users-value\n',
      });
      const locked = await trib(['topics', 'list', '--data-dir', dataDir]);
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain(`is owned by trib registry serve (pid ${server.child.pid}) at ${server.url}`);
      expect(locked.stderr).toContain('[DATA_DIR_LOCKED]');
      const url = ['--url', server.url];
      expect((await trib(['schemas', 'register', 'users-value', '--file', file('v2.avsc'), ...url])).stdout).toBe(
        'Registered users-value version 2 (id 2)\n',
      );
      expect((await trib(['schemas', 'list', ...url])).stdout).toBe('users-value\n');
      const incompatible = await trib(['schemas', 'check', 'users-value', '--file', file('required.avsc'), ...url]);
      expect(incompatible.code).toBe(1);
      expect(incompatible.stdout).toMatch(/^Incompatible\n/);
      expect((await trib(['schemas', 'config', 'users-value', '--set', 'FULL', ...url])).stdout).toBe('FULL\n');
      const missing = await trib(['schemas', 'get', 'nope', ...url]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/\(error_code 40401\) \[SUBJECT_NOT_FOUND\]\n$/);
    } finally {
      server.child.kill('SIGTERM');
    }
    const [code] = await once(server.child, 'close');
    expect(code).toBe(0);
    expect(server.output()).toContain('Stopped on SIGTERM');
    // One access log line per request, at INFO, as JSON on stderr.
    const access = server
      .errors()
      .split('\n')
      .filter((line) => line.includes('[SchemaRegistry]'))
      .map((line) => JSON.parse(line));
    expect(access[0]).toMatchObject({
      level: 'INFO',
      message: '[SchemaRegistry] GET /subjects 200',
      method: 'GET',
      url: '/subjects',
      status: 200,
    });
    expect(access.some((a) => a.method === 'GET' && a.status === 404)).toBe(true);
    // Closed cleanly: the data dir opens again, with what was registered over HTTP.
    expect((await trib(['schemas', 'get', 'users-value', '--data-dir', dataDir])).stdout).toContain('"version": 2');
  });

  it('should print help with exit 0 when --help is given', async () => {
    const commands = [
      ['registry'],
      ['registry', 'serve'],
      ['schemas'],
      ...['register', 'list', 'get', 'check', 'delete', 'config'].map((c) => ['schemas', c]),
    ];
    for (const args of commands) {
      const result = await trib([...args, '--help']);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: trib/);
    }
  });

  it('should print one line on stderr and exit non-zero when arguments are bad', async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'bad') };
    const cases = [
      ['schemas', 'register', 'x'],
      ['schemas', 'register', 'x', '--file', file('missing.avsc')],
      ['schemas', 'register', 'x', '--file', file('v1.avsc'), '--type', 'XML'],
      ['schemas', 'register', 'x', '--file', file('v1.avsc'), '--reference', 'a=b'],
      ['schemas', 'get', 'x', '--version', 'zero'],
      ['schemas', 'get'],
      ['schemas', 'config', '--set', 'SOMETIMES'],
      ['schemas', 'list', '--url', 'ftp://x'],
      ['schemas', 'nope'],
      ['registry', 'serve', '--port', '70000'],
    ];
    for (const args of cases) {
      const result = await trib(args, env);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(/^trib: /);
    }
  });
});
