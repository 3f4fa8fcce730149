import { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { decodeRecordBatch } from '../../src/protocol/index.ts';
import type { FetchRequest } from '../../src/protocol/messages/fetch.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { encodeResponse, encodeResponseChunks } from '../../src/protocol/wire/header.ts';
import { RecordSegments } from '../../src/protocol/wire/schema.ts';
import type { Input } from '../../src/protocol/wire/schema.ts';
import { RawClient } from './raw-client.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let client: RawClient;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 1 });
  broker = await serve({ log, port: 0, logLevel: 0, groupInitialRebalanceDelayMs: 0 });
  client = await RawClient.connect(broker.address().port);
});

afterEach(async () => {
  vi.restoreAllMocks();
  client.close();
  await broker.close();
  await log.close();
});

function fetchRequest(offset: number): Input<FetchRequest> {
  return {
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 16 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: 't',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 16 << 20 }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** Splits a records field into its batches (each: baseOffset int64, length int32, then length bytes). */
function batchesOf(records: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0; pos < records.length; ) {
    const size = 12 + records.readInt32BE(pos + 8);
    out.push(records.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

describe('Fetch responses written as segments', () => {
  it('should serve several stored batches byte for byte, in old and flexible versions', async () => {
    const big = Buffer.alloc(64 * 1024, 7);
    await log.append('t', 0, [{ key: null, value: Buffer.from('a') }]);
    await log.append('t', 0, [{ key: null, value: big }]);
    await log.append('t', 0, [
      { key: null, value: Buffer.from('c') },
      { key: null, value: Buffer.from('d') },
    ]);
    const stored = (await log.readBatches('t', 0, 0)).map((b) => Buffer.from(b.bytes));
    expect(stored).toHaveLength(3);
    for (const version of [4, 11, 12]) {
      const fetched = await client.request(API.Fetch, version, fetchRequest(0));
      const records = fetched.responses[0]!.partitions[0]!.records!;
      expect(batchesOf(records)).toEqual(stored);
      const values = batchesOf(records).flatMap((b) => decodeRecordBatch(b).records.map((r) => Buffer.from(r.value!)));
      expect(values).toEqual([Buffer.from('a'), big, Buffer.from('c'), Buffer.from('d')]);
    }
  });

  it('should hand large stored batches to the socket as their own segments, corked, not copied into one frame', async () => {
    const big = Buffer.alloc(32 * 1024, 1);
    await log.append('t', 0, [{ key: null, value: big }]);
    await log.append('t', 0, [{ key: null, value: Buffer.alloc(32 * 1024, 2) }]);
    const stored = (await log.readBatches('t', 0, 0)).map((b) => Buffer.from(b.bytes));
    const writes: Buffer[] = [];
    const corks = vi.spyOn(Socket.prototype, 'cork');
    const write = Socket.prototype.write;
    vi.spyOn(Socket.prototype, 'write').mockImplementation(function (this: Socket, chunk: unknown, ...rest: unknown[]) {
      if (Buffer.isBuffer(chunk)) writes.push(chunk);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    });
    const fetched = await client.request(API.Fetch, 12, fetchRequest(0));
    expect(batchesOf(fetched.responses[0]!.partitions[0]!.records!)).toEqual(stored);
    // Each stored batch went to the socket as one write of exactly its bytes.
    for (const batch of stored) expect(writes.some((w) => w.equals(batch))).toBe(true);
    expect(corks).toHaveBeenCalled();
  });

  it('should encode RecordSegments as the same bytes as their concatenation', () => {
    const parts = [Buffer.alloc(2000, 1), Buffer.from('small'), Buffer.alloc(3000, 2)];
    const body = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 't',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 3,
              lastStableOffset: 3,
              logStartOffset: 0,
              abortedTransactions: [],
              records: Buffer.concat(parts),
            },
          ],
        },
      ],
    };
    for (const version of [4, 12]) {
      const whole = encodeResponse(API.Fetch, version, 9, body as never);
      const segmented = body.responses.map((t) => ({
        ...t,
        partitions: t.partitions.map((p) => ({ ...p, records: RecordSegments.of(parts) })),
      }));
      const chunks = encodeResponseChunks(API.Fetch, version, 9, { ...body, responses: segmented } as never);
      expect(Buffer.concat(chunks)).toEqual(whole);
      // The large parts are referenced, not copied.
      expect(chunks).toContain(parts[0]);
      expect(chunks).toContain(parts[2]);
    }
  });
});
