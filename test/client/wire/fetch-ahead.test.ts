import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../../src/broker/index.ts';
import { WireCluster } from '../../../src/client/wire/cluster.ts';
import { WireFetcher } from '../../../src/client/wire/fetcher.ts';
import { WireTransport } from '../../../src/client/wire/transport.ts';
import { type EmbeddedLogBackend, openLog, type ReadOptions } from '../../../src/log/index.ts';
import { until } from '../helpers.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let cluster: WireCluster;
let fetcher: WireFetcher;
/** Fetches the broker served, as the offsets it read from. */
let served: number[];

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 1 });
  // Ten batches of 10 records of 100 bytes: a read of 1,000 bytes takes one batch (a batch is about 1,140).
  for (let b = 0; b < 10; b++) {
    await log.append(
      't',
      0,
      Array.from({ length: 10 }, (_, i) => ({ key: null, value: Buffer.alloc(100, b * 10 + i) })),
    );
  }
  served = [];
  const readBatches = log.readBatches.bind(log);
  log.readBatches = (topic: string, partition: number, offset: number, options?: ReadOptions) => {
    served.push(offset);
    return readBatches(topic, partition, offset, options);
  };
  broker = await serve({ log, port: 0, logLevel: 0 });
  cluster = new WireCluster({ brokers: [`127.0.0.1:${broker.address().port}`], clientId: 'fetch-ahead' });
  await cluster.connect();
  fetcher = new WireFetcher(new WireTransport(cluster, () => Date.now()));
  await fetcher.loadOffsets([{ topic: 't', partition: 0 }]);
});

afterEach(async () => {
  await cluster.disconnect();
  await broker.close();
  await log.close();
});

const firstByte = (r: { records: { value: Uint8Array | null }[] }) => r.records.map((x) => x.value![0]!);

describe('WireFetcher.read sends the next Fetch ahead, as the Java client does', () => {
  it('should have the Fetch for the next records on its way before the next read, and serve that read with it', async () => {
    const first = await fetcher.read('t', 0, 0, { maxBytes: 1_000 });
    expect(first.records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Nobody asked yet for offset 10, and the broker serves it already.
    await until(() => served.includes(10));
    const second = await fetcher.read('t', 0, 10, { maxBytes: 1_000 });
    expect(firstByte(second)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    await until(() => served.includes(20));
    expect(served.filter((o) => o === 10)).toHaveLength(1);
  });

  it('should read every record once, in order, through a chain of reads', async () => {
    const seen: number[] = [];
    let offset = 0;
    while (offset < 100) {
      const r = await fetcher.read('t', 0, offset, { maxBytes: 1_000 });
      seen.push(...firstByte(r));
      offset = r.nextOffset;
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // The last batch reaches the high watermark: nothing is fetched past it.
    await new Promise((r) => setTimeout(r, 50));
    expect(served.filter((o) => o >= 100)).toEqual([]);
  });

  it('should answer a read of another offset (a seek) from that offset, not from the Fetch sent ahead', async () => {
    await fetcher.read('t', 0, 0, { maxBytes: 1_000 });
    await until(() => served.includes(10));
    const sought = await fetcher.read('t', 0, 50, { maxBytes: 1_000 });
    expect(firstByte(sought)).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    const back = await fetcher.read('t', 0, 10, { maxBytes: 1_000 });
    expect(firstByte(back)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });
});

describe('WireFetcher.watch keeps a wait on its way for a partition read to its end', () => {
  it('should learn of records appended after the end from the wait, and serve the next read with its answer', async () => {
    fetcher.watch('t', 0, 100, 'read_uncommitted');
    await log.append('t', 0, [{ key: null, value: Buffer.alloc(100, 200) }]);
    // Nobody read: the wait alone brought the new high watermark.
    await until(() => fetcher.offsets('t', 0).highWatermark === 101);
    const before = served.length;
    const r = await fetcher.read('t', 0, 100);
    expect(firstByte(r)).toEqual([200]);
    expect(served.length).toBe(before);
  });

  it('should share one held Fetch between a watch and a wait for the same offset', async () => {
    fetcher.watch('t', 0, 100, 'read_uncommitted');
    const waited = fetcher.waitForData('t', 0, 100, undefined, 'read_uncommitted');
    fetcher.watch('t', 0, 100, 'read_uncommitted');
    await log.append('t', 0, [{ key: null, value: Buffer.alloc(100, 201) }]);
    await waited;
    const before = served.length;
    expect(firstByte(await fetcher.read('t', 0, 100))).toEqual([201]);
    expect(served.length).toBe(before);
    // One Fetch of offset 100 went out, read once by the broker.
    expect(served.filter((o) => o === 100)).toHaveLength(1);
  });
});
