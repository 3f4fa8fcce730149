/**
 * `trib groups reset` only moves the offsets of a group with no running members, as
 * kafka-consumer-groups.sh --reset-offsets ("Assignments can only be reset if the group is
 * inactive"): a member would go on committing from where it is and undo the reset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command.ts';
import { runCli } from '../../src/cli/main.ts';
import { Tributary } from '../../src/index.ts';
import { until } from '../client/helpers.ts';
import { start, trib, watch } from './run-trib.ts';

const root = mkdtempSync(join(tmpdir(), 'tributary-reset-active-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `trib args…` in this process, with its output gathered. */
async function runHere(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env: {} };
  const code = await runCli(args, io);
  return { code, stdout: out, stderr: err };
}

async function committed(tributary: Tributary, groupId: string): Promise<string[]> {
  const admin = tributary.admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId, topics: ['t'] });
    return topic!.partitions.map((p) => p.offset);
  } finally {
    await admin.disconnect();
  }
}

describe('trib groups reset on a group with running members', () => {
  it('should refuse with NON_EMPTY_GROUP while a member of this process runs, and reset once it has left', async () => {
    const dataDir = join(root, 'here');
    const tributary = new Tributary({ dataDir, clientId: 'app', logLevel: 0 });
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 't', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = tributary.producer();
    await producer.connect();
    await producer.send({ topic: 't', messages: ['a', 'b', 'c'].map((value) => ({ value })) });
    await producer.disconnect();

    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    let seen = 0;
    await consumer.run({
      eachMessage: async () => {
        seen++;
      },
    });
    await until(() => seen === 3, 'the member to consume');
    await consumer.commitOffsets([{ topic: 't', partition: 0, offset: '3' }]);
    expect(await committed(tributary, 'g')).toEqual(['3']);

    const reset = ['groups', 'reset', 'g', '--topic', 't', '--to-earliest', '--execute', '--data-dir', dataDir];
    const refused = await runHere(reset);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no running members; it has 1 \(Stable\).*\[NON_EMPTY_GROUP\]\n$/);
    expect(refused.stderr).toContain(dataDir);
    expect(await committed(tributary, 'g')).toEqual(['3']);
    // A dry run is refused too: its plan would be a lie while the member commits.
    expect((await runHere(reset.filter((a) => a !== '--execute'))).code).toBe(1);

    await consumer.disconnect();
    const done = await runHere(reset);
    expect(done).toMatchObject({
      code: 0,
      stdout: 'GROUP\tTOPIC\tPARTITION\tCURRENT-OFFSET\tNEW-OFFSET\ng\tt\t0\t3\t0\n',
    });
    expect(await committed(tributary, 'g')).toEqual(['0']);
    await tributary.close();
  });

  it('should refuse while another process runs a member: that process holds the directory', {
    timeout: 180_000,
  }, async () => {
    const env = { TRIBUTARY_DATA_DIR: join(root, 'other') };
    await trib(['topics', 'create', 't', '--create'], { env });
    await trib(['produce', 't'], { env, input: 'a\nb\n' });
    const member = start(['consume', 't', '-g', 'g', '--from-beginning'], env);
    const running = watch(member);
    member.stdin.end();
    await running.until('stdout', /b\n/);

    const reset = ['groups', 'reset', 'g', '--topic', 't', '--to-earliest', '--execute'];
    const refused = await trib(reset, { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\[DATA_DIR_LOCKED\]\n$/);

    member.kill('SIGTERM');
    expect((await running.ended).code).toBe(0);
    expect(await trib(['groups', 'describe', 'g'], { env })).toMatchObject({ code: 0 });
    expect((await trib(['groups', 'describe', 'g'], { env })).stdout).toContain('t\t0\t2\t2\t0');
    const done = await trib(reset, { env });
    expect(done).toMatchObject({
      code: 0,
      stdout: 'GROUP\tTOPIC\tPARTITION\tCURRENT-OFFSET\tNEW-OFFSET\ng\tt\t0\t2\t0\n',
    });
  });
});
