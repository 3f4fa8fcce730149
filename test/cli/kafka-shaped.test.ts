/**
 * The CLI as kcat, kafka-*.sh and rpk users expect it: flags, exit codes, data directories,
 * consume positions and output, produce as lines arrive, group resets. Every case runs the real
 * `trib` process; the Ctrl-C cases send real signals.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, trib, watch } from './run-trib.ts';

describe('trib, Kafka-shaped', { timeout: 240_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trib-kafka-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should refuse a directory without Tributary data, naming it, unless topics create or --create starts one', async () => {
    const dataDir = join(dir, 'fresh');
    const listed = await trib(['topics', 'list', '--data-dir', dataDir]);
    expect(listed.code).toBe(1);
    expect(listed.stderr).toBe(
      `trib: The data directory ${dataDir} does not exist; pass --create to start a new log there [DATA_DIR_NOT_FOUND]\n`,
    );
    // Nothing was created by asking.
    await expect(readdir(dataDir)).rejects.toThrow();
    const produced = await trib(['produce', 'orders', '--data-dir', dataDir], { input: 'x\n' });
    expect(produced.stderr).toContain('[DATA_DIR_NOT_FOUND]');
    const created = await trib(['topics', 'create', '--topic', 'orders', '--data-dir', dataDir]);
    expect(created).toMatchObject({ code: 0, stdout: `Created topic orders with 1 partition(s) in ${dataDir}\n` });
    const again = await trib(['topics', 'create', 'orders', '--data-dir', dataDir]);
    expect(again).toMatchObject({
      code: 1,
      stderr: `trib: Topic "orders" already exists (data dir ${dataDir}) [TOPIC_ALREADY_EXISTS]\n`,
    });
    expect((await trib(['topics', 'create', 'orders', '--if-not-exists', '--data-dir', dataDir])).code).toBe(0);
    expect((await trib(['topics', 'delete', 'nothing', '--if-exists', '--data-dir', dataDir])).code).toBe(0);
    const missing = await trib(['topics', 'delete', 'nothing', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\(data dir .*fresh\) \[UNKNOWN_TOPIC_OR_PARTITION\]\n$/);
    // Internal topics stay out of the list, as kafka-topics.sh --list leaves them out by default.
    expect((await trib(['topics', 'list', '-J', '--data-dir', dataDir])).stdout).toBe('["orders"]\n');
    const empty = join(dir, 'empty');
    expect((await trib(['groups', 'list', '--create', '--data-dir', empty])).code).toBe(0);
  });

  it('should fail at once on a data dir path that cannot hold a log, and reach brokers over the wire', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    const onFile = await trib(['topics', 'create', 't', '--data-dir', file]);
    expect(onFile).toMatchObject({
      code: 1,
      stderr: `trib: Cannot use ${file} as a data directory: it is a file [DATA_DIR_INVALID]\n`,
    });
    const under = await trib(['topics', 'create', 't', '--data-dir', join(file, 'log')]);
    expect(under.stderr).toContain('part of the path is a file [DATA_DIR_INVALID]');
    // Brokers go over the wire: nothing listens on port 1, so the connection fails, naming the address.
    const brokers = await trib(['topics', 'list', '--bootstrap-server', '127.0.0.1:1']);
    expect(brokers.code).toBe(1);
    expect(brokers.stderr).toMatch(/^trib: .*127\.0\.0\.1:1.* \[CONNECTION_ERROR\]\n$/);
    const fromEnv = await trib(['consume', 't'], { env: { TRIB_BOOTSTRAP_SERVER: '127.0.0.1:1' } });
    expect(fromEnv.stderr).toContain('[CONNECTION_ERROR]');
    const both = await trib(['topics', 'list', '-b', '127.0.0.1:1', '--data-dir', join(dir, 'never')]);
    expect(both).toMatchObject({ code: 2, stderr: 'trib: give --bootstrap-server or --data-dir, not both\n' });
    await expect(readdir(join(dir, 'never'))).rejects.toThrow();
  });

  it('should answer mistakes with the closest command or flag and exit 2, and print its version', async () => {
    const cases: [string[], string][] = [
      [['topic', 'create', 'x'], 'trib: unknown command "topic"; did you mean "topics create"?\n'],
      [['create', 'x'], 'trib: unknown command "create"; did you mean "topics create"?\n'],
      [['topics', 'craete'], 'trib: unknown command "topics craete"; did you mean "topics create"?\n'],
      [['consume', 't', '--max-mesages', '3'], 'trib: unknown flag --max-mesages; did you mean --max-messages?\n'],
      [['consume', 't', '--max-messages'], 'trib: --max-messages needs a value\n'],
    ];
    for (const [args, stderr] of cases) expect(await trib(args), args.join(' ')).toMatchObject({ code: 2, stderr });
    const version = await trib(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^trib \d+\.\d+\.\d+/);
  });

  it('should start a consume where --offset, --partition and --from-beginning say, and print keys and kcat JSON', async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'positions') };
    await trib(['topics', 'create', 'p', '--partitions', '2'], { env });
    const lines = Array.from({ length: 6 }, (_, i) => `k${i}:v${i}`).join('\n');
    expect((await trib(['produce', 'p', '-K', ':', '--partition', '1'], { env, input: `${lines}\n` })).stderr).toMatch(
      /^Produced 6 record\(s\) to p in .*positions\n$/,
    );
    const consume = (...args: string[]) => trib(['consume', 'p', '-e', ...args], { env });
    expect((await consume('-p', '1', '-o', '4')).stdout).toBe('v4\nv5\n');
    expect((await consume('-p', '1', '-o', '-2', '--key')).stdout).toBe('k4\tv4\nk5\tv5\n');
    expect((await consume('-p', '1', '-o', '99')).stdout).toBe('');
    expect((await consume('--from-beginning', '-K', '=', '-c', '2')).stdout).toBe('k0=v0\nk1=v1\n');
    expect((await consume('-p', '0', '--offset', 'beginning')).stdout).toBe('');
    expect((await consume('-o', `@${Date.now() + 60_000}`)).stdout).toBe('');
    expect((await consume('-o', '@2000-01-01T00:00:00Z', '-c', '1')).stdout).toBe('v0\n');
    const json = await consume('-p', '1', '-o', '5', '-J');
    const record = JSON.parse(json.stdout);
    expect(record).toMatchObject({
      topic: 'p',
      partition: 1,
      offset: 5,
      tstype: 'create',
      broker: -1,
      key: 'k5',
      payload: 'v5',
    });
    expect(typeof record.ts).toBe('number');
    expect(json.stderr).toMatch(/^Consumed 1 record\(s\) from p in .*positions\n$/);
    const withGroup = await consume('-g', 'g', '-o', '3');
    expect(withGroup.code).toBe(2);
    expect((await consume('-p', '2')).stderr).toContain('has no partition 2 (it has 2)');
  });

  it('should follow a topic until Ctrl-C and exit 0, and stop by itself after --timeout of silence', async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'follow') };
    await trib(['topics', 'create', 'live'], { env });
    await trib(['produce', 'live'], { env, input: 'one\ntwo\n' });
    const child = start(['consume', 'live', '--from-beginning'], env);
    const run = watch(child);
    child.stdin.end();
    await run.until('stdout', /two\n/);
    // Caught up and still running: only the signal ends it.
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    const ended = await run.ended;
    expect(ended).toMatchObject({ code: 0, stdout: 'one\ntwo\n' });
    expect(ended.stderr).toMatch(/^Consumed 2 record\(s\) from live in /);

    const grouped = start(['consume', 'live', '-g', 'followers', '--from-beginning'], env);
    const member = watch(grouped);
    grouped.stdin.end();
    await member.until('stdout', /two\n/);
    grouped.kill('SIGTERM');
    expect(await member.ended).toMatchObject({ code: 0, stdout: 'one\ntwo\n' });
    expect((await trib(['groups', 'describe', 'followers'], { env })).stdout).toContain('live\t0\t2\t2\t0');

    const quiet = await trib(['consume', 'live', '--from-beginning', '--timeout', '300'], { env });
    expect(quiet).toMatchObject({ code: 0, stdout: 'one\ntwo\n' });
  });

  it('should stop quietly with exit 0 when the reader of its output goes away, as `trib consume t | head -1`', async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'pipe') };
    await trib(['topics', 'create', 'many'], { env });
    await trib(['produce', 'many'], {
      env,
      input: `${Array.from({ length: 5000 }, (_, i) => `record ${i}`).join('\n')}\n`,
    });
    const child = start(['consume', 'many', '--from-beginning'], env);
    const run = watch(child);
    child.stdin.end();
    await run.until('stdout', /record 0\n/);
    child.stdout.destroy();
    const ended = await run.ended;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toMatch(/^Consumed \d+ record\(s\) from many in .*pipe\n$/);
  });

  it('should send lines as they arrive while stdin stays open, and flush and count them on SIGINT', async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'stream'), TRIB_LOG_LEVEL: 'debug' };
    await trib(['topics', 'create', 'lines'], { env });
    await trib(['topics', 'create', 'lines', '--if-not-exists'], { env });
    // As `tail -f log | trib produce lines`: stdin never ends. The delivery report (DEBUG) says when a line is in the log.
    const tail = start(['produce', 'lines'], env);
    const tailing = watch(tail);
    tail.stdin.write('first\n');
    await tailing.until('stderr', /"message":"\[trib\.produce\] Sent 1 record\(s\)"/);
    // Killed without a chance to flush: what was reported sent is in the log.
    tail.kill('SIGKILL');
    await tailing.ended;
    expect(
      (
        await trib(['consume', 'lines', '--from-beginning', '-e'], {
          env: { TRIBUTARY_DATA_DIR: env.TRIBUTARY_DATA_DIR },
        })
      ).stdout,
    ).toBe('first\n');

    const typed = start(['produce', 'lines', '--linger-ms', '60000'], env);
    const typing = watch(typed);
    typed.stdin.write('second\nthird\n');
    // Lingering for a minute: once both lines are read, only the signal makes them go now.
    await typing.until('stderr', /Read line 2"/);
    typed.kill('SIGINT');
    const ended = await typing.ended;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toMatch(/Produced 2 record\(s\) to lines in .*stream\n$/);
    expect(
      (
        await trib(['consume', 'lines', '--from-beginning', '-e'], {
          env: { TRIBUTARY_DATA_DIR: env.TRIBUTARY_DATA_DIR },
        })
      ).stdout,
    ).toBe('first\nsecond\nthird\n');
  });

  it('should reset a group as kafka-consumer-groups.sh does: a dry run unless --execute, clamped to the log', async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'reset') };
    await trib(['topics', 'create', 'r', '-p', '2'], { env });
    await trib(['produce', 'r', '-p', '0'], { env, input: 'a\nb\nc\nd\n' });
    await trib(['produce', 'r', '-p', '1'], { env, input: 'e\nf\n' });
    await trib(['consume', 'r', '-g', 'g', '--from-beginning', '-e'], { env });
    const reset = (...args: string[]) => trib(['groups', 'reset', 'g', ...args], { env });
    const dry = await reset('--topic', 'r', '--to-offset', '99');
    expect(dry.stdout).toBe('GROUP\tTOPIC\tPARTITION\tCURRENT-OFFSET\tNEW-OFFSET\ng\tr\t0\t4\t4\ng\tr\t1\t2\t2\n');
    expect(dry.stderr).toMatch(/^Dry run: nothing changed in .*reset; add --execute/);
    expect((await reset('--topic', 'r:0', '--shift-by', '-3', '--execute')).stdout).toContain('g\tr\t0\t4\t1\n');
    expect((await reset('--topic', 'r:1', '--shift-by', '-10', '-J')).stdout).toBe(
      '{"group":"g","executed":false,"partitions":[{"topic":"r","partition":1,"current":2,"newOffset":0}]}\n',
    );
    expect((await reset('--all-topics', '--to-datetime', '2000-01-01T00:00:00Z')).stdout).toContain('g\tr\t1\t2\t0\n');
    const described = await trib(['groups', 'describe', 'g'], { env });
    expect(described.stdout).toContain('r\t0\t1\t4\t3');
    expect(described.stdout).toContain('r\t1\t2\t2\t0');
    expect((await reset('--topic', 'r', '--to-latest', '--to-earliest')).code).toBe(2);
    expect((await reset('--topic', 'r:7', '--to-earliest')).stderr).toContain('[UNKNOWN_TOPIC_OR_PARTITION]');
  });
});
