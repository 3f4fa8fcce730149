import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLog } from '../../../src/log/index.ts';
import { decodeRecordBatch, readBatchHeader } from '../../../src/protocol/index.ts';
import { run, startTribServe, type TribServe } from './trib-serve.ts';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
/** Big and repetitive enough that librdkafka compresses it (it sends a batch raw when compressing does not pay). */
const FILLER = 'tributary '.repeat(40);

describe('kcat (librdkafka) against trib serve', () => {
  let server: TribServe;
  beforeAll(async () => {
    server = await startTribServe();
  });
  afterAll(() => server?.dispose());

  it('should list the broker and topics with -L', () => {
    run('kcat', ['-b', server.bootstrap, '-P', '-t', 'listed'], { input: 'one\n' });
    const listing = run('kcat', ['-b', server.bootstrap, '-L']);
    expect(listing).toContain(`broker 1 at ${server.bootstrap} (controller)`);
    expect(listing).toMatch(/topic "listed" with 1 partitions:\s+partition 0, leader 1, replicas: 1, isrs: 1/);
  });

  it('should take a batch in each codec with -P -z and read them all back with -C -e', () => {
    for (const codec of CODECS) {
      run('kcat', ['-b', server.bootstrap, '-P', '-t', 'codecs', '-K:', '-z', codec], {
        input: `${codec}:first ${FILLER}\n${codec}:second ${FILLER}\n`,
      });
    }
    const consumed = run('kcat', ['-b', server.bootstrap, '-C', '-t', 'codecs', '-e', '-f', '%k=%s@%o\n'])
      .trim()
      .split('\n');
    expect(consumed).toEqual(
      CODECS.flatMap((codec, i) => [`${codec}=first ${FILLER}@${2 * i}`, `${codec}=second ${FILLER}@${2 * i + 1}`]),
    );
  });

  it('should produce idempotently with -X enable.idempotence=true', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `idem-${i}`);
    run('kcat', ['-b', server.bootstrap, '-P', '-t', 'idem', '-X', 'enable.idempotence=true'], {
      input: `${lines.join('\n')}\n`,
    });
    const consumed = run('kcat', ['-b', server.bootstrap, '-C', '-t', 'idem', '-e', '-f', '%s\n']).trim().split('\n');
    expect(consumed).toEqual(lines);
  });

  it('should consume as a balanced group member with -G and commit its offsets', async () => {
    run('kcat', ['-b', server.bootstrap, '-P', '-t', 'grouped'], { input: 'a\nb\nc\n' });
    const consumed = run(
      'kcat',
      ['-b', server.bootstrap, '-G', 'kcat-group', '-o', 'beginning', '-e', '-f', '%s\n', 'grouped'],
      { timeoutMs: 60_000 },
    );
    expect(consumed.trim().split('\n')).toEqual(['a', 'b', 'c']);
    const kafka = new Kafka({ brokers: [server.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'kcat-group', topics: ['grouped'] });
    await admin.disconnect();
    expect(offsets[0]!.partitions[0]!.offset).toBe('3');
  });

  it('should have stored every compressed batch as kcat sent it', async () => {
    expect(await server.stop()).toBe(0);
    const log = await openLog({ dataDir: server.dataDir, maintenanceIntervalMs: 0 });
    try {
      const batches = await log.readBatches('codecs', 0, 0);
      // Each record's key names the codec kcat was told to use; its batch must be stored in it.
      const stored = batches.flatMap((b) =>
        decodeRecordBatch(b.bytes).records.map((r) => [
          Buffer.from(r.key!).toString(),
          readBatchHeader(b.bytes).compression,
        ]),
      );
      expect(stored).toEqual(
        CODECS.flatMap((codec) => [
          [codec, codec],
          [codec, codec],
        ]),
      );
    } finally {
      await log.close();
    }
  });
});
