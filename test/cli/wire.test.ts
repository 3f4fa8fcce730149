/**
 * The CLI across processes: `trib serve` runs in a child process, and the other commands reach it
 * with -b/--bootstrap-server, $TRIB_BOOTSTRAP_SERVER, or --data-dir naming the directory it owns.
 * The quickstart runs as real processes (which must exit on their own: no socket left open); the
 * other commands run in this process, where a spawn would cost a second each.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { start, trib, watch } from './run-trib.ts';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** `trib args…` run in this process, with `input` on stdin. */
async function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const sink = (into: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        into(String(chunk));
        done();
      },
    });
  const code = await runCli(args, {
    stdin: Readable.from([options.input ?? '']),
    stdout: sink((t) => (stdout += t)),
    stderr: sink((t) => (stderr += t)),
    env: { ...options.env },
  });
  return { code, stdout, stderr };
}

describe('trib over the wire', () => {
  let dir: string;
  let dataDir: string;
  let address: string;
  let registryUrl: string;
  let serve: ReturnType<typeof start>;
  let served: ReturnType<typeof watch>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trib-wire-'));
    dataDir = join(dir, 'data');
    serve = start([
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--registry-port',
      '0',
      '--group-initial-rebalance-delay-ms',
      '0',
    ]);
    served = watch(serve);
    // One line per listener: the broker's address, then the registry's URL.
    await served.until('stdout', /Schema registry listening on \S+\n/);
    address = /^Kafka broker listening on \S+ \(advertised as (\S+)\)$/m.exec(served.out())![1]!;
    registryUrl = /Schema registry listening on (\S+)/.exec(served.out())![1]!;
  }, 60_000);

  afterAll(async () => {
    serve?.kill('SIGTERM');
    await served?.ended;
    await rm(dir, { recursive: true, force: true });
  });

  it('should run the Kafka quickstart in three terminals: serve, produce, consume following live', {
    timeout: 90_000,
  }, async () => {
    expect(await trib(['topics', 'create', 'quickstart', '-b', address])).toMatchObject({
      code: 0,
      stdout: `Created topic quickstart with 1 partition(s) on ${address}\n`,
    });
    const consumer = start(['consume', 'quickstart', '--from-beginning', '--data-dir', dataDir]);
    const consumed = watch(consumer);
    consumer.stdin.end();
    const first = await trib(['produce', 'quickstart', '--bootstrap-server', address], { input: 'one\ntwo\n' });
    expect(first).toMatchObject({ code: 0, stderr: `Produced 2 record(s) to quickstart on ${address}\n` });
    await consumed.until('stdout', /^one\ntwo\n$/);
    // Produced while the consumer waits at the end: it follows live.
    const second = await trib(['produce', 'quickstart'], { input: 'three\n', env: { TRIB_BOOTSTRAP_SERVER: address } });
    expect(second.code).toBe(0);
    await consumed.until('stdout', /^one\ntwo\nthree\n$/);
    consumer.kill('SIGINT');
    // It exits by itself once stopped: no connection of the wire client is left to hold it.
    expect(await consumed.ended).toEqual({
      code: 0,
      signal: null,
      stdout: 'one\ntwo\nthree\n',
      stderr: `Consumed 3 record(s) from quickstart in ${dataDir} through trib serve at ${address}\n`,
    });
  });

  it('should manage topics, configs, records and groups through -b, $TRIB_BOOTSTRAP_SERVER and the owned data dir', {
    timeout: 60_000,
  }, async () => {
    const b = ['-b', address];
    const owned = ['--data-dir', dataDir];
    const env = { TRIB_BOOTSTRAP_SERVER: address };
    expect(await cli(['topics', 'create', 'orders', '-p', '2', '--config', 'retention.ms=60000'], { env })).toEqual({
      code: 0,
      stdout: `Created topic orders with 2 partition(s) on ${address}\n`,
      stderr: '',
    });
    expect((await cli(['topics', 'create', 'orders', ...b])).stderr).toBe(
      `trib: Topic "orders" already exists (brokers ${address}) [TOPIC_ALREADY_EXISTS]\n`,
    );
    expect(
      (await cli(['topics', 'alter', 'orders', '-p', '3', '--config', 'cleanup.policy=compact', ...owned])).stdout,
    ).toBe(`Altered topic orders in ${dataDir} through trib serve at ${address}\n`);
    const described = JSON.parse((await cli(['topics', 'describe', 'orders', '-J', ...b])).stdout);
    expect(described.partitions).toHaveLength(3);
    expect(described.config['cleanup.policy']).toEqual({ value: 'compact', isDefault: false });
    expect(described.config['retention.ms']).toEqual({ value: '60000', isDefault: false });
    expect(JSON.parse((await cli(['topics', 'list', '-J', ...owned])).stdout)).toContain('orders');
    // --data-dir wins over $TRIB_BOOTSTRAP_SERVER (nothing listens on port 1).
    const named = await cli(['topics', 'list', ...owned], { env: { TRIB_BOOTSTRAP_SERVER: '127.0.0.1:1' } });
    expect(named).toMatchObject({ code: 0, stderr: '' });
    expect(named.stdout).toContain('orders\n');

    expect(
      await cli(['produce', 'orders', '-p', '1', '-K', ':', ...b], { input: 'k1:v1\nk2:v2\nk3:v3\n' }),
    ).toMatchObject({ code: 0, stderr: `Produced 3 record(s) to orders on ${address}\n` });
    expect((await cli(['produce', 'orders', '-p', '7', ...b])).stderr).toBe(
      `trib: Topic "orders" has no partition 7 (brokers ${address}) [UNKNOWN_TOPIC_OR_PARTITION]\n`,
    );
    const direct = await cli(['consume', 'orders', '-p', '1', '-o', 'beginning', '-e', '--key', ...b]);
    expect(direct).toEqual({
      code: 0,
      stdout: 'k1\tv1\nk2\tv2\nk3\tv3\n',
      stderr: `Consumed 3 record(s) from orders on ${address}\n`,
    });
    expect((await cli(['consume', 'orders', '-p', '1', '-o', '-1', '-e', ...owned])).stdout).toBe('v3\n');
    expect((await cli(['consume', 'orders', '-o', `@${Date.now() + 60_000}`, '-e', ...b])).stdout).toBe('');

    // A group: consumed, described, reset, deleted.
    const grouped = await cli(['consume', 'orders', '-g', 'billing', '--from-beginning', '-e', ...b]);
    expect(grouped.stdout).toBe('v1\nv2\nv3\n');
    expect(JSON.parse((await cli(['groups', 'list', '-J', ...owned])).stdout)).toContain('billing');
    const lagOf = async () =>
      JSON.parse((await cli(['groups', 'describe', 'billing', '-J'], { env })).stdout).partitions.find(
        (p: { partition: number }) => p.partition === 1,
      );
    expect(await lagOf()).toEqual({ topic: 'orders', partition: 1, offset: 3, end: 3, lag: 0 });
    const reset = await cli([
      'groups',
      'reset',
      'billing',
      '--topic',
      'orders:1',
      '--shift-by',
      '-2',
      '--execute',
      ...b,
    ]);
    expect(reset).toEqual({
      code: 0,
      stdout: 'GROUP\tTOPIC\tPARTITION\tCURRENT-OFFSET\tNEW-OFFSET\nbilling\torders\t1\t3\t1\n',
      stderr: `Reset the offsets of group billing on ${address}\n`,
    });
    expect(await lagOf()).toEqual({ topic: 'orders', partition: 1, offset: 1, end: 3, lag: 2 });
    expect((await cli(['groups', 'delete', 'billing', ...owned])).stdout).toBe(
      `Deleted group billing in ${dataDir} through trib serve at ${address}\n`,
    );
    expect(JSON.parse((await cli(['groups', 'list', '-J', ...b])).stdout)).not.toContain('billing');

    expect((await cli(['topics', 'delete', 'orders', ...b])).stdout).toBe(`Deleted topic orders on ${address}\n`);
    expect((await cli(['topics', 'delete', 'orders', '--if-exists', ...owned])).stdout).toBe(
      `No topic orders in ${dataDir} through trib serve at ${address}; nothing to delete\n`,
    );
  });

  it('should find the schema registry of trib serve through its data dir, and need --registry-url with -b', {
    timeout: 60_000,
  }, async () => {
    const schema = join(dir, 'reading.avsc');
    await writeFile(
      schema,
      JSON.stringify({ type: 'record', name: 'Reading', fields: [{ name: 'celsius', type: 'double' }] }),
    );
    await cli(['topics', 'create', 'readings', '-b', address]);
    const produced = await cli(['produce', 'readings', '--value-schema', schema, '--data-dir', dataDir], {
      input: '{"celsius":21.5}\n',
    });
    expect(produced.code).toBe(0);
    expect((await cli(['schemas', 'list', '--data-dir', dataDir])).stdout).toBe('readings-value\n');
    // What was registered is in trib serve's registry, over HTTP.
    expect(await (await fetch(`${registryUrl}/subjects`)).json()).toEqual(['readings-value']);
    const decode = ['consume', 'readings', '-o', 'beginning', '-e', '--value-format', 'avro'];
    expect((await cli([...decode, '-b', address, '-r', registryUrl])).stdout).toBe('{"celsius":21.5}\n');
    expect(await cli([...decode, '-b', address])).toEqual({
      code: 2,
      stdout: '',
      stderr: `trib: no schema registry is known on ${address}: give --registry-url URL (Kafka brokers do not tell where one is)\n`,
    });
    expect((await cli(['schemas', 'list', '-b', address])).code).toBe(2);
  });

  it('should refuse with a typed error what needs the data directory itself', { timeout: 60_000 }, async () => {
    for (const command of [['doctor'], ['serve'], ['registry', 'serve']]) {
      const ran = await cli([...command, '-b', address]);
      expect(ran.code).toBe(1);
      expect(ran.stderr).toMatch(
        new RegExp(
          `^trib: trib ${command.join(' ')} cannot work over --bootstrap-server \\(${address}\\): .* \\[TRANSPORT_NOT_AVAILABLE\\]\\n$`,
        ),
      );
    }
    // The directory is trib serve's: the error says where to connect instead.
    const doctor = await cli(['doctor', '--data-dir', dataDir]);
    expect(doctor.stderr).toContain(`is owned by trib serve (pid ${serve.pid}) at ${address}`);
    expect(doctor.stderr).toMatch(/\[DATA_DIR_LOCKED\]\n$/);
    expect((await cli(['registry', 'serve', '--port', '0', '--data-dir', dataDir])).stderr).toMatch(
      /owned by trib serve .*\[DATA_DIR_LOCKED\]\n$/,
    );
    expect((await cli(['topics', 'list', '-b', 'localhost'])).stderr).toBe(
      'trib: --bootstrap-server takes HOST:PORT[,HOST:PORT...], got "localhost"\n',
    );
  });
});
