import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { encodeRecordBatch, verifyBatchCrc } from '../../src/protocol/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import type { ProduceRequest } from '../../src/protocol/messages/produce.ts';
import { decodeResponse, encodeRequest, peekCorrelationId } from '../../src/protocol/wire/header.ts';
import { RawClient } from './raw-client.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let port: number;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 1 });
  broker = await serve({ log, port: 0, logLevel: 0, groupInitialRebalanceDelayMs: 0, maxRequestBytes: 1024 * 1024 });
  port = broker.address().port;
});

afterEach(async () => {
  await broker.close();
  await log.close();
});

function batch(values: string[]): Buffer {
  return Buffer.from(
    encodeRecordBatch({
      baseOffset: 0,
      records: values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: 1 })),
    }),
  );
}

function produce(records: Buffer | null, acks = -1): ProduceRequest {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  };
}

/** A client that gets a good answer: the broker still serves. */
async function stillServes(): Promise<void> {
  const client = await RawClient.connect(port);
  const res = await client.request(API.ApiVersions, 2, { clientSoftwareName: '', clientSoftwareVersion: '' });
  client.close();
  expect(res.errorCode).toBe(0);
  expect(res.apiKeys.find((a) => a.apiKey === 0)).toEqual({
    apiKey: 0,
    minVersion: 0,
    maxVersion: API.Produce.maxVersion,
  });
}

function sizePrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

describe('the broker, given bad input', () => {
  it('should close a connection whose size prefix is over socket.request.max.bytes, before reading the body', async () => {
    const client = await RawClient.connect(port);
    client.write(sizePrefix(1024 * 1024 + 1));
    await client.closed;
    await stillServes();
  });

  it('should close a connection with a negative or too small size', async () => {
    for (const size of [-1, 0, 3]) {
      const client = await RawClient.connect(port);
      client.write(Buffer.concat([sizePrefix(size), Buffer.alloc(16)]));
      await client.closed;
    }
    await stillServes();
  });

  it('should close a connection that sends an API key the broker does not serve, or a version outside its codec', async () => {
    const unknownKey = Buffer.alloc(14);
    unknownKey.writeInt32BE(10, 0);
    unknownKey.writeInt16BE(999, 4);
    let client = await RawClient.connect(port);
    client.write(unknownKey);
    await client.closed;
    const metadataV99 = Buffer.alloc(14);
    metadataV99.writeInt32BE(10, 0);
    metadataV99.writeInt16BE(3, 4);
    metadataV99.writeInt16BE(99, 6);
    client = await RawClient.connect(port);
    client.write(metadataV99);
    await client.closed;
    await stillServes();
  });

  it('should answer ApiVersions in a version above its own with the v0 body, UNSUPPORTED_VERSION and its own range', async () => {
    const client = await RawClient.connect(port);
    // A newer client's request: header v2 (flexible, so a tagged-field count after the client id).
    const frame = Buffer.alloc(15);
    frame.writeInt32BE(11, 0);
    frame.writeInt16BE(18, 4);
    frame.writeInt16BE(77, 6);
    frame.writeInt32BE(42, 8);
    frame.writeInt16BE(-1, 12);
    const answer = client.expect((f) => decodeResponse(API.ApiVersions, 0, f));
    client.write(frame);
    expect(await answer).toEqual({
      correlationId: 42,
      body: expect.objectContaining({ errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] }),
    });
    client.close();
  });

  it('should close a connection whose body lies about its lengths, and append nothing', async () => {
    const client = await RawClient.connect(port);
    const frame = client.frame(API.Produce, 7, produce(batch(['x'])));
    // The topic array count (right after the header and transactionalId, acks, timeout) claims a billion entries.
    const header = 4 + 2 + 2 + 4 + 2 + 'raw-test'.length;
    frame.writeInt32BE(1_000_000_000, header + 2 + 2 + 4);
    client.write(frame);
    await client.closed;
    expect(log.offsets('t', 0).highWatermark).toBe(0);
    await stillServes();
  });

  it('should answer CORRUPT_MESSAGE for a batch whose CRC does not match, and append nothing', async () => {
    const client = await RawClient.connect(port);
    const bad = batch(['hello']);
    bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1);
    const res = await client.request(API.Produce, 7, produce(bad));
    expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(2);
    const two = await client.request(API.Produce, 7, produce(Buffer.concat([batch(['a']), batch(['b'])])));
    expect(two.responses[0]!.partitionResponses[0]!.errorCode).toBe(2);
    const empty = await client.request(API.Produce, 7, produce(null));
    expect(empty.responses[0]!.partitionResponses[0]!.errorCode).toBe(87);
    const badAcks = await client.request(API.Produce, 7, produce(batch(['a']), 2));
    expect(badAcks.responses[0]!.partitionResponses[0]!.errorCode).toBe(21);
    const old = await client.request(API.Produce, 2, produce(batch(['a'])));
    expect(old.responses[0]!.partitionResponses[0]!.errorCode).toBe(35);
    // Kafka's internal topics are the coordinator's: a client's write there is refused.
    await log
      .createTopic({ topic: '__consumer_offsets', configs: { 'cleanup.policy': 'compact' } })
      .catch(() => undefined);
    const internal = await client.request(API.Produce, 7, {
      ...produce(batch(['junk'])),
      topicData: [{ name: '__consumer_offsets', partitionData: [{ index: 0, records: batch(['junk']) }] }],
    });
    expect(internal.responses[0]!.partitionResponses[0]!.errorCode).toBe(17);
    expect(log.offsets('__consumer_offsets', 0).highWatermark).toBe(0);
    client.close();
    expect(log.offsets('t', 0).highWatermark).toBe(0);
  });

  it('should serve a client that sends its frame a byte at a time', async () => {
    const client = await RawClient.connect(port);
    const frame = client.frame(API.Produce, 7, produce(batch(['slow'])));
    const answer = client.expect((f) => decodeResponse(API.Produce, 7, f).body);
    for (const byte of frame) {
      client.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(
      ((await answer) as { responses: { partitionResponses: { errorCode: number }[] }[] }).responses[0]!
        .partitionResponses[0]!.errorCode,
    ).toBe(0);
    client.close();
    expect(log.offsets('t', 0).highWatermark).toBe(1);
  });

  it('should append nothing from a client that disconnects mid-request', async () => {
    const client = await RawClient.connect(port);
    const frame = client.frame(API.Produce, 7, produce(batch(['half'])));
    client.write(frame.subarray(0, frame.length - 10));
    client.close();
    await client.closed;
    await stillServes();
    expect(log.offsets('t', 0).highWatermark).toBe(0);
  });

  it('should answer pipelined requests in the order they came, and nothing for acks=0', async () => {
    const client = await RawClient.connect(port);
    const fetch = client.request(API.Fetch, 11, {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1 },
      maxWaitMs: 300,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 't',
          topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: 1 << 20,
              replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const order: string[] = [];
    void fetch.then(() => order.push('fetch'));
    // acks=0 takes its place in the order but is never answered; the metadata behind it is.
    client.write(client.frame(API.Produce, 7, produce(batch(['fire and forget']), 0)));
    const metadata = client.request(API.Metadata, 1, {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 't' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    void metadata.then(() => order.push('metadata'));
    const [fetched] = await Promise.all([fetch, metadata]);
    expect(order).toEqual(['fetch', 'metadata']);
    // The fetch was woken by the acks=0 append, which came after it.
    expect(fetched.responses[0]!.partitions[0]!.records!.length).toBeGreaterThan(0);
    expect(client.unexpected).toEqual([]);
    client.close();
  });

  it('should survive random frames and mutated valid ones, and store only batches whose CRC holds', async () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const template = encodeRequest(API.Produce, 7, 1, 'fuzz', produce(batch(['fuzz'])));
    for (let i = 0; i < 200; i++) {
      const client = await RawClient.connect(port);
      let frame: Buffer;
      if (i % 2 === 0) {
        frame = Buffer.alloc(4 + Math.floor(random() * 64));
        for (let j = 4; j < frame.length; j++) frame[j] = Math.floor(random() * 256);
        frame.writeInt32BE(frame.length - 4, 0);
      } else {
        frame = Buffer.from(template);
        const flips = 1 + Math.floor(random() * 4);
        for (let k = 0; k < flips; k++)
          frame[4 + Math.floor(random() * (frame.length - 4))] = Math.floor(random() * 256);
      }
      client.write(frame);
      // An answer, or the connection closed: either way the broker is done with it.
      await Promise.race([client.expect((f) => peekCorrelationId(f)), client.closed]).catch(() => undefined);
      client.close();
    }
    await stillServes();
    const { highWatermark } = log.offsets('t', 0);
    if (highWatermark > 0) for (const b of await log.readBatches('t', 0, 0)) expect(verifyBatchCrc(b.bytes)).toBe(true);
  });
});
