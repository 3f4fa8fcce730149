/**
 * A 32 MB record goes through send and consume without holding the event loop for the whole copy:
 * where Tributary itself copies or encodes it (the record batch, its CRC, the in-memory store's
 * copy), it works in 4 MiB slices. Measured on the in-memory log, since LevelDB's write of the
 * batch is one native call that copies it whole (docs/log.md, "Large records").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zstdReady } from '../../src/protocol/compression/zstd.ts';
import { encodeRecordBatch, encodeRecordBatchInSlices } from '../../src/protocol/index.ts';
import { Tributary } from '../../src/index.ts';
import { StallMonitor } from './fixtures/stall-monitor.ts';
import { until } from './helpers.ts';

const SIZE = 32 << 20;
const LIMIT_MS = 50;

function bigValue(): Buffer {
  const value = Buffer.allocUnsafe(SIZE);
  for (let i = 0; i < SIZE; i += 4) value.writeUInt32LE((i * 2654435761) >>> 0, i);
  return value;
}

describe('a 32 MB record', () => {
  // The zstd wasm compiles in the background after import: its cost is not the record's.
  beforeAll(() => zstdReady());
  const tributary = new Tributary({ storage: 'memory', clientId: 'large', logLevel: 0 });
  afterAll(() => tributary.close());

  it(`should be sent and consumed without ${LIMIT_MS} ms of work between two turns of the event loop`, async () => {
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 'big', configEntries: [{ name: 'max.message.bytes', value: String(64 << 20) }] }],
    });
    const producer = tributary.producer();
    await producer.connect();
    const value = bigValue();

    const monitor = new StallMonitor();
    await monitor.enter('send');
    const [sent] = await producer.send({ topic: 'big', messages: [{ key: 'k', value }] });
    expect(sent!.baseOffset).toBe('0');

    await monitor.enter('consume');
    const consumer = tributary.consumer({ groupId: 'large', maxBytesPerPartition: 64 << 20, maxBytes: 64 << 20 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'big', fromBeginning: true });
    let received: Buffer | null | undefined;
    await consumer.run({
      eachMessage: async ({ message }) => {
        received = message.value;
      },
    });
    await until(() => received !== undefined, 'the record');
    await monitor.enter('stop');
    await consumer.disconnect();
    monitor.stop();

    expect(received!.equals(value)).toBe(true);
    await producer.disconnect();
    await admin.disconnect();
    console.log(`32 MB record, longest run without a turn of the event loop: ${monitor.report()}`);
    for (const [step, ms] of monitor.worst)
      expect(ms, `${step} ran ${ms.toFixed(1)} ms (GC ${monitor.gcInWorst.get(step)?.toFixed(1)} ms)`).toBeLessThan(
        LIMIT_MS,
      );
  }, 60_000);

  it('should encode to the same bytes in slices as at once, CRC included', async () => {
    const value = bigValue();
    const input = {
      baseOffset: 7,
      records: [
        { key: Buffer.from('small'), value: Buffer.from('v'), timestamp: 5 },
        { key: value.subarray(0, 2 << 20), value, timestamp: 6, headers: [{ key: 'h', value: Buffer.from('x') }] },
      ],
    };
    const { bytes, finish } = encodeRecordBatchInSlices(input);
    expect(finish).toBeDefined();
    await finish!();
    expect(Buffer.from(bytes).equals(Buffer.from(encodeRecordBatch(input)))).toBe(true);
    // Small records and compressed batches are encoded at once.
    expect(
      encodeRecordBatchInSlices({ baseOffset: 0, records: [{ key: null, value: Buffer.from('x'), timestamp: 1 }] })
        .finish,
    ).toBeUndefined();
    expect(encodeRecordBatchInSlices({ ...input, compression: 'lz4' }).finish).toBeUndefined();
  }, 60_000);
});
