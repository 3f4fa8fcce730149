import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../../src/broker/index.ts';
import { WireCluster } from '../../../src/client/wire/cluster.ts';
import { type OwnBatch, WireFetcher } from '../../../src/client/wire/fetcher.ts';
import { WireTransport } from '../../../src/client/wire/transport.ts';
import { type AppendRecord, type EmbeddedLogBackend, openLog, type ProducerIdentity } from '../../../src/log/index.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let cluster: WireCluster;
let transport: WireTransport;
let fetcher: WireFetcher;
let producer: ProducerIdentity;
let sequence: number;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 1 });
  broker = await serve({ log, port: 0, logLevel: 0 });
  cluster = new WireCluster({ brokers: [`127.0.0.1:${broker.address().port}`], clientId: 'own-batches' });
  await cluster.connect();
  transport = new WireTransport(cluster, () => Date.now());
  fetcher = new WireFetcher(new WireTransport(cluster, () => Date.now()));
  producer = await transport.initProducerId();
  sequence = 0;
});

afterEach(async () => {
  await cluster.disconnect();
  await broker.close();
  await log.close();
});

const records = (from: number, n: number): AppendRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(`k${from + i}`),
    value: Buffer.from(`v${from + i}`),
    timestamp: 1_000 + from + i,
  }));

/** Produces `batch` as one stamped batch; what `remember` is told of it. */
async function produce(batch: AppendRecord[]): Promise<OwnBatch> {
  const stamp = { producerId: producer.producerId, producerEpoch: producer.producerEpoch, baseSequence: sequence };
  sequence += batch.length;
  const [landed] = await transport.write([{ topic: 't', partition: 0, records: batch, producer: stamp }], {
    sync: true,
  });
  return { topic: 't', partition: 0, baseOffset: landed!.baseOffset, ...stamp, records: batch };
}

const plain = (r: { offset: number; timestamp: number; key: Uint8Array | null; value: Uint8Array | null }) => ({
  offset: r.offset,
  timestamp: r.timestamp,
  key: Buffer.from(r.key!).toString(),
  value: Buffer.from(r.value!).toString(),
});

describe('WireFetcher.remember: batches this process produced are read back as they were sent', () => {
  it('should hand out the very records of a remembered batch, with their offsets, and decode the others', async () => {
    const first = records(0, 5);
    const second = records(5, 5);
    const a = await produce(first);
    await produce(second);
    await fetcher.loadOffsets([{ topic: 't', partition: 0 }]);
    fetcher.remember(a);
    const read = await fetcher.read('t', 0, 0);
    expect(read.records.map(plain)).toEqual(
      [...first, ...second].map((r, i) => ({
        offset: i,
        timestamp: r.timestamp,
        key: r.key!.toString(),
        value: r.value!.toString(),
      })),
    );
    // The first batch's records are the ones sent; the second's were decoded from the Fetch.
    for (let i = 0; i < 5; i++) expect(read.records[i]!.key).toBe(first[i]!.key);
    for (let i = 5; i < 10; i++) expect(read.records[i]!.key).not.toBe(second[i - 5]!.key);
    expect(read.records[7]!.headers).toEqual([]);
  });

  it('should decode a batch whose stamp or place differs from what was remembered, and hand each out once', async () => {
    const batch = records(0, 4);
    const a = await produce(batch);
    await fetcher.loadOffsets([{ topic: 't', partition: 0 }]);
    fetcher.remember({ ...a, baseSequence: a.baseSequence + 1 });
    const wrongStamp = await fetcher.read('t', 0, 0);
    expect(wrongStamp.records[0]!.key).not.toBe(batch[0]!.key);
    expect(wrongStamp.records.map(plain).map((r) => r.key)).toEqual(['k0', 'k1', 'k2', 'k3']);

    fetcher.remember(a);
    const once = await fetcher.read('t', 0, 0);
    expect(once.records[0]!.key).toBe(batch[0]!.key);
    const twice = await fetcher.read('t', 0, 0);
    expect(twice.records[0]!.key).not.toBe(batch[0]!.key);
    expect(twice.records.map(plain)).toEqual(once.records.map(plain));
  });

  it('should start at the offset read from when a remembered batch starts before it', async () => {
    const batch = records(0, 6);
    const a = await produce(batch);
    await fetcher.loadOffsets([{ topic: 't', partition: 0 }]);
    fetcher.remember(a);
    const read = await fetcher.read('t', 0, 3);
    expect(read.records.map((r) => r.offset)).toEqual([3, 4, 5]);
    expect(read.records[0]!.key).toBe(batch[3]!.key);
    expect(read.nextOffset).toBe(6);
  });

  it('should not keep a batch whose records carry headers (the log would give them back as it decodes them)', async () => {
    const batch = records(0, 2).map((r) => ({ ...r, headers: [{ key: 'h', value: Buffer.from('x') }] }));
    const a = await produce(batch);
    await fetcher.loadOffsets([{ topic: 't', partition: 0 }]);
    fetcher.remember(a);
    const read = await fetcher.read('t', 0, 0);
    expect(read.records[0]!.key).not.toBe(batch[0]!.key);
    expect(read.records[0]!.headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
  });
});
