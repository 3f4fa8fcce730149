/**
 * DescribeLogDirs: the data directory and each partition's stored bytes, as `kafka-log-dirs.sh
 * --describe` asks for them (every version from 0; v4 with the volume's sizes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { RawClient } from './raw-client.ts';

let dir: string;
let log: EmbeddedLogBackend;
let broker: Broker;
let client: RawClient;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logdirs-'));
  log = await openLog({ dataDir: join(dir, 'data'), maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'a', numPartitions: 2 });
  await log.createTopic({ topic: 'b' });
  await log.append('a', 1, [{ key: null, value: Buffer.alloc(100, 1) }]);
  broker = await serve({ log, port: 0, logLevel: 0 });
  client = await RawClient.connect(broker.address().port);
});

afterEach(async () => {
  client.close();
  await broker.close();
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Each partition's size, by `topic-partition`. */
function sizes(res: {
  results: { topics: { name: string; partitions: { partitionIndex: number; partitionSize: number }[] }[] }[];
}) {
  return Object.fromEntries(
    res.results.flatMap((r) =>
      r.topics.flatMap((t) => t.partitions.map((p) => [`${t.name}-${p.partitionIndex}`, p.partitionSize])),
    ),
  );
}

describe('DescribeLogDirs', () => {
  it.each([0, 1, 2, 3, 4])(
    'should describe every partition of every topic in the data directory (v%i)',
    async (version) => {
      const res = await client.request(API.DescribeLogDirs, version, { topics: null });
      expect(res.results).toHaveLength(1);
      const [result] = res.results;
      expect(result!.errorCode).toBe(0);
      expect(result!.logDir).toBe(join(dir, 'data'));
      const stored = (await log.describeTopic('a')).partitions[1]!.sizeBytes;
      expect(stored).toBeGreaterThan(100);
      // The group coordinator's __consumer_offsets is there too, as on Kafka.
      const every: string[] = [];
      for (const topic of await log.listTopics())
        for (const p of (await log.describeTopic(topic)).partitions) every.push(`${topic}-${p.partition}`);
      expect(Object.keys(sizes(res)).sort()).toEqual(every.sort());
      expect(sizes(res)).toMatchObject({ 'a-0': 0, 'a-1': stored, 'b-0': 0 });
      for (const p of result!.topics.flatMap((t) => t.partitions))
        expect([p.offsetLag, p.isFutureKey]).toEqual([0, false]);
      if (version >= 4) {
        expect(result!.totalBytes).toBeGreaterThan(0);
        expect(result!.usableBytes).toBeGreaterThanOrEqual(0);
        expect(result!.usableBytes).toBeLessThanOrEqual(result!.totalBytes);
      }
    },
  );

  it('should describe only the partitions asked for, leaving out topics and partitions that do not exist', async () => {
    const res = await client.request(API.DescribeLogDirs, 2, {
      topics: [
        { topic: 'a', partitions: [1, 7] },
        { topic: 'missing', partitions: [0] },
      ],
    });
    expect(Object.keys(sizes(res))).toEqual(['a-1']);
  });

  it('should name a log in memory as such, with no volume sizes', async () => {
    const memory = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    const other = await serve({ log: memory, port: 0, logLevel: 0 });
    const c = await RawClient.connect(other.address().port);
    try {
      const res = await c.request(API.DescribeLogDirs, 4, { topics: null });
      expect(res.results.map((r) => [r.logDir, r.totalBytes, r.usableBytes])).toEqual([['(memory)', -1, -1]]);
    } finally {
      c.close();
      await other.close();
      await memory.close();
    }
  });
});
