/**
 * The log's conformance suite: every `LogBackend` implementation runs it, as every abstract-level
 * store runs abstract-level's suite. `factory` opens a log; `reopen`, when the implementation is
 * durable, closes it and opens the same data again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { TributaryError } from '../../src/errors.ts';
import { zstdReady } from '../../src/protocol/compression/zstd.ts';
import type { AppendRecord, EmbeddedLogBackend, LogRecord } from '../../src/log/index.ts';

export interface ConformanceOptions {
  name: string;
  /** Opens a fresh, empty log on `clock`. */
  factory: (clock: ManualClock) => Promise<EmbeddedLogBackend>;
  /** Closes `log` and opens the same data again; absent for logs that do not persist. */
  reopen?: (log: EmbeddedLogBackend, clock: ManualClock) => Promise<EmbeddedLogBackend>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string) => enc.encode(s);
const text = (b: Uint8Array | null) => (b === null ? null : dec.decode(b));
const DAY = 24 * 3600_000;

function rec(key: string | null, value: string | null, timestamp?: number): AppendRecord {
  return { key: key === null ? null : bytes(key), value: value === null ? null : bytes(value), timestamp };
}

async function expectCode(promise: Promise<unknown> | (() => unknown), code: string): Promise<TributaryError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    expect((err as TributaryError).code).toBe(code);
    return err as TributaryError;
  }
  throw new Error(`expected an error with code ${code}`);
}

async function readAll(log: EmbeddedLogBackend, topic: string, partition: number): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  let offset = log.offsets(topic, partition).logStartOffset;
  for (;;) {
    const result = await log.read(topic, partition, offset);
    out.push(...result.records);
    if (result.nextOffset >= result.highWatermark) return out;
    offset = result.nextOffset;
  }
}

export function logConformanceSuite(options: ConformanceOptions): void {
  describe(`LogBackend conformance: ${options.name}`, () => {
    let log: EmbeddedLogBackend | undefined;
    let clock: ManualClock;

    async function open(): Promise<EmbeddedLogBackend> {
      clock = new ManualClock(1_700_000_000_000);
      log = await options.factory(clock);
      return log;
    }

    afterEach(async () => {
      await log?.close();
      log = undefined;
    });

    describe('topics', () => {
      it('should create, list, describe and delete topics', async () => {
        const l = await open();
        await l.createTopic({ topic: 'b', numPartitions: 3 });
        await l.createTopic({ topic: 'a' });
        expect(await l.listTopics()).toEqual(['a', 'b']);
        const b = await l.describeTopic('b');
        expect(b.partitions.map((p) => [p.partition, p.logStartOffset, p.highWatermark])).toEqual([
          [0, 0, 0],
          [1, 0, 0],
          [2, 0, 0],
        ]);
        expect(b.configs['retention.ms']).toBe(7 * DAY);
        expect(b.configs['cleanup.policy']).toBe('delete');
        await l.deleteTopic('b');
        expect(await l.listTopics()).toEqual(['a']);
        await expectCode(l.describeTopic('b'), 'UNKNOWN_TOPIC_OR_PARTITION');
      });

      it('should refuse a topic that exists already', async () => {
        const l = await open();
        await l.createTopic({ topic: 'dup' });
        await expectCode(l.createTopic({ topic: 'dup' }), 'TOPIC_ALREADY_EXISTS');
      });

      it.each([
        ['', 'empty'],
        ['.', 'dot'],
        ['..', 'dot dot'],
        ['has space', 'a space'],
        ['slash/y', 'a slash'],
        ['ünïcode', 'non-ASCII'],
        ['x'.repeat(250), '250 characters'],
      ])('should refuse the topic name %j (%s)', async (name) => {
        const l = await open();
        await expectCode(l.createTopic({ topic: name }), 'INVALID_TOPIC_EXCEPTION');
        expect(await l.listTopics()).toEqual([]);
      });

      it('should accept a 249-character name of every legal character', async () => {
        const l = await open();
        const name = 'aZ09._-'.repeat(36).slice(0, 249);
        await l.createTopic({ topic: name });
        expect(await l.listTopics()).toEqual([name]);
      });

      it.each([0, -1, 1.5])('should refuse %d partitions', async (numPartitions) => {
        const l = await open();
        await expectCode(l.createTopic({ topic: 't', numPartitions }), 'INVALID_PARTITIONS');
      });

      it('should start a re-created topic empty, with a new id', async () => {
        const l = await open();
        const first = await l.createTopic({ topic: 't' });
        await l.append('t', 0, [rec('k', 'v')]);
        await l.deleteTopic('t');
        const second = await l.createTopic({ topic: 't' });
        expect(second.topicId).not.toBe(first.topicId);
        expect(l.offsets('t', 0)).toMatchObject({ partition: 0, logStartOffset: 0, highWatermark: 0 });
        expect((await l.read('t', 0, 0)).records).toEqual([]);
      });
    });

    describe('createPartitions', () => {
      it('should add empty partitions and leave the existing ones as they were', async () => {
        let l = await open();
        await l.createTopic({ topic: 't', numPartitions: 2 });
        await l.append('t', 1, [rec('k', 'v1'), rec('k', 'v2')]);
        const grown = await l.createPartitions('t', 4);
        expect(grown.partitions.map((p) => [p.partition, p.highWatermark])).toEqual([
          [0, 0],
          [1, 2],
          [2, 0],
          [3, 0],
        ]);
        expect(l.partitionCount('t')).toBe(4);
        expect((await l.append('t', 3, [rec('n', 'new')])).baseOffset).toBe(0);
        if (options.reopen !== undefined) {
          l = await options.reopen(l, clock);
          log = l;
          expect(l.partitionCount('t')).toBe(4);
          expect(l.offsets('t', 1).highWatermark).toBe(2);
          expect((await l.read('t', 3, 0)).records.map((r) => text(r.value))).toEqual(['new']);
        }
      });

      it.each([2, 1, 0, 2.5])('should refuse to go from 2 to %d partitions', async (count) => {
        const l = await open();
        await l.createTopic({ topic: 't', numPartitions: 2 });
        await expectCode(l.createPartitions('t', count), 'INVALID_PARTITIONS');
        expect(l.partitionCount('t')).toBe(2);
      });

      it('should refuse an unknown topic', async () => {
        const l = await open();
        await expectCode(l.createPartitions('nope', 3), 'UNKNOWN_TOPIC_OR_PARTITION');
      });
    });

    describe('configs', () => {
      it('should take configs at creation and report defaults for the rest', async () => {
        const l = await open();
        const t = await l.createTopic({
          topic: 't',
          configs: { 'cleanup.policy': 'compact', 'retention.ms': '1000', 'max.message.bytes': 5000 },
        });
        expect(t.overrides).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': 1000, 'max.message.bytes': 5000 });
        expect(t.configs['delete.retention.ms']).toBe(DAY);
      });

      it('should accept both policies in either order', async () => {
        const l = await open();
        const t = await l.createTopic({ topic: 't', configs: { 'cleanup.policy': 'delete, compact' } });
        expect(t.configs['cleanup.policy']).toBe('compact,delete');
      });

      it.each([
        [{ 'retention.msec': 1 }],
        [{ 'cleanup.policy': 'shred' }],
        [{ 'retention.ms': -2 }],
        [{ 'retention.ms': 'soon' }],
        [{ 'retention.bytes': 1.5 }],
        [{ 'delete.retention.ms': -1 }],
        [{ 'min.compaction.lag.ms': '' }],
        [{ 'max.message.bytes': -5 }],
        [{ 'compression.type': 'brotli' }],
        [{ 'min.cleanable.dirty.ratio': 2 }],
      ])('should refuse the config %j with INVALID_CONFIG', async (configs) => {
        const l = await open();
        await expectCode(l.createTopic({ topic: 't', configs: configs as never }), 'INVALID_CONFIG');
        expect(await l.listTopics()).toEqual([]);
      });

      it('should alter configs, remove overrides with null, and change nothing when one change is invalid', async () => {
        const l = await open();
        await l.createTopic({ topic: 't', configs: { 'retention.ms': 1000 } });
        let t = await l.alterConfigs('t', { 'retention.bytes': '2048', 'retention.ms': null });
        expect(t.overrides).toEqual({ 'retention.bytes': 2048 });
        expect(t.configs['retention.ms']).toBe(7 * DAY);
        await expectCode(l.alterConfigs('t', { 'retention.bytes': 1, 'cleanup.policy': 'nope' }), 'INVALID_CONFIG');
        await expectCode(l.alterConfigs('t', { 'no.such.config': null }), 'INVALID_CONFIG');
        t = await l.describeTopic('t');
        expect(t.overrides).toEqual({ 'retention.bytes': 2048 });
      });
    });

    describe('append and read', () => {
      it('should hand out contiguous offsets from 0 per partition and return the base offset', async () => {
        const l = await open();
        await l.createTopic({ topic: 't', numPartitions: 2 });
        expect((await l.append('t', 0, [rec('a', '1'), rec('b', '2')])).baseOffset).toBe(0);
        expect((await l.append('t', 0, [rec('c', '3')])).baseOffset).toBe(2);
        expect((await l.append('t', 1, [rec('d', '4')])).baseOffset).toBe(0);
        const all = await readAll(l, 't', 0);
        expect(all.map((r) => [r.offset, text(r.key), text(r.value)])).toEqual([
          [0, 'a', '1'],
          [1, 'b', '2'],
          [2, 'c', '3'],
        ]);
        expect(l.offsets('t', 0)).toEqual({ partition: 0, logStartOffset: 0, highWatermark: 3, lastStableOffset: 3 });
      });

      it('should keep offsets contiguous under many concurrent appends', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) => l.append('t', 0, [rec(`k${i}`, `v${i}`), rec(null, `w${i}`)])),
        );
        expect(results.map((r) => r.baseOffset).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 200 }, (_, i) => i * 2),
        );
        const all = await readAll(l, 't', 0);
        expect(all.map((r) => r.offset)).toEqual(Array.from({ length: 400 }, (_, i) => i));
      });

      it('should keep keys, values, nulls, empty bytes, headers and timestamps as given', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        await l.append('t', 0, [
          { key: null, value: null, timestamp: 5 },
          { key: new Uint8Array(0), value: new Uint8Array(0), timestamp: 6 },
          {
            key: bytes('k'),
            value: bytes('v'),
            headers: [
              { key: 'h1', value: bytes('x') },
              { key: 'h1', value: null },
              { key: 'ключ', value: new Uint8Array([0, 255]) },
            ],
          },
        ]);
        const [a, b, c] = (await l.read('t', 0, 0)).records;
        expect(a).toMatchObject({ offset: 0, key: null, value: null, timestamp: 5, headers: [] });
        expect([b!.key!.length, b!.value!.length, b!.timestamp]).toEqual([0, 0, 6]);
        expect(c!.timestamp).toBe(clock.now());
        expect(c!.headers.map((h) => [h.key, h.value === null ? null : [...h.value]])).toEqual([
          ['h1', [...bytes('x')]],
          ['h1', null],
          ['ключ', [0, 255]],
        ]);
      });

      it('should take only key, value, headers and timestamp from a record, whatever else it carries', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        const sneaky = { ...rec('k', 'v', 5), offsetDelta: 9 } as AppendRecord;
        const { lastOffset } = await l.append('t', 0, [rec('a', '0', 5), sneaky]);
        expect(lastOffset).toBe(1);
        expect((await readAll(l, 't', 0)).map((r) => r.offset)).toEqual([0, 1]);
        expect((await l.append('t', 0, [rec('b', '2')])).baseOffset).toBe(2);
      });

      it('should read from the middle of a batch, and honour maxRecords', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        await l.append('t', 0, [rec('a', '0'), rec('a', '1'), rec('a', '2'), rec('a', '3')]);
        await l.append('t', 0, [rec('a', '4')]);
        const mid = await l.read('t', 0, 2);
        expect(mid.records.map((r) => r.offset)).toEqual([2, 3, 4]);
        expect(mid.nextOffset).toBe(5);
        const limited = await l.read('t', 0, 1, { maxRecords: 2 });
        expect(limited.records.map((r) => r.offset)).toEqual([1, 2]);
        expect(limited.nextOffset).toBe(3);
      });

      it('should return at least one batch however small maxBytes is, and stop near maxBytes', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        for (let i = 0; i < 10; i++) await l.append('t', 0, [rec('k', 'x'.repeat(1000))]);
        expect((await l.read('t', 0, 0, { maxBytes: 1 })).records).toHaveLength(1);
        const some = await l.read('t', 0, 0, { maxBytes: 3000 });
        expect(some.records.length).toBeGreaterThanOrEqual(2);
        expect(some.records.length).toBeLessThan(10);
      });

      it('should read the same records from old batches on the store and new ones held in memory', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        const value = 'v'.repeat(10_000);
        for (let i = 0; i < 300; i++) await l.append('t', 0, [rec(`k${i}`, value), rec(`j${i}`, null)]);
        const all = await readAll(l, 't', 0);
        expect(all.map((r) => r.offset)).toEqual(Array.from({ length: 600 }, (_, i) => i));
        expect(all.map((r) => text(r.key))).toEqual(
          Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? `k${i / 2}` : `j${(i - 1) / 2}`)),
        );
        for (const from of [0, 1, 299, 300, 301, 598, 599]) {
          const { records } = await l.read('t', 0, from, { maxRecords: 3 });
          expect(records.map((r) => r.offset)).toEqual([from, from + 1, from + 2].filter((o) => o < 600));
        }
      });

      it('should return nothing at the high watermark and refuse offsets outside the log', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        await l.append('t', 0, [rec('a', '0')]);
        expect(await l.read('t', 0, 1)).toMatchObject({ records: [], nextOffset: 1, highWatermark: 1 });
        const err = await expectCode(l.read('t', 0, 2), 'OFFSET_OUT_OF_RANGE');
        expect(err.context).toMatchObject({ topic: 't', partition: 0, offset: 2 });
        await expectCode(l.read('t', 0, -1), 'INVALID_REQUEST');
      });

      it('should refuse unknown topics and partitions', async () => {
        const l = await open();
        await l.createTopic({ topic: 't', numPartitions: 2 });
        await expectCode(l.append('nope', 0, [rec('a', 'b')]), 'UNKNOWN_TOPIC_OR_PARTITION');
        await expectCode(l.append('t', 2, [rec('a', 'b')]), 'UNKNOWN_TOPIC_OR_PARTITION');
        await expectCode(l.read('t', -1, 0), 'UNKNOWN_TOPIC_OR_PARTITION');
        await expectCode(() => l.offsets('nope', 0), 'UNKNOWN_TOPIC_OR_PARTITION');
      });

      it('should write several partitions atomically and append nothing when one record is bad', async () => {
        const l = await open();
        await l.createTopic({ topic: 'a', numPartitions: 2 });
        await l.createTopic({ topic: 'b' });
        const results = await l.write([
          { topic: 'a', partition: 1, records: [rec('x', '1')] },
          { topic: 'b', partition: 0, records: [rec('y', '2'), rec('z', '3')] },
        ]);
        expect(results.map((r) => [r.topic, r.partition, r.baseOffset, r.lastOffset])).toEqual([
          ['a', 1, 0, 0],
          ['b', 0, 0, 1],
        ]);
        await expectCode(
          l.write([
            { topic: 'a', partition: 0, records: [rec('x', '1')] },
            { topic: 'b', partition: 0, records: [{ key: null, value: 'not bytes' as never }] },
          ]),
          'INVALID_RECORD',
        );
        await expectCode(
          l.write([
            { topic: 'a', partition: 0, records: [rec('x', '1')] },
            { topic: 'a', partition: 7, records: [rec('x', '1')] },
          ]),
          'UNKNOWN_TOPIC_OR_PARTITION',
        );
        expect(l.offsets('a', 0).highWatermark).toBe(0);
        expect(l.offsets('b', 0).highWatermark).toBe(2);
        await expectCode(l.append('a', 0, []), 'INVALID_RECORD');
      });

      it('should land several batches for one partition in one write, in order', async () => {
        const l = await open();
        await l.createTopic({ topic: 't', numPartitions: 2 });
        const results = await l.write([
          { topic: 't', partition: 0, records: [rec('a', '1'), rec('a', '2')] },
          { topic: 't', partition: 1, records: [rec('b', '1')] },
          { topic: 't', partition: 0, records: [rec('a', '3')] },
        ]);
        expect(results.map((r) => [r.partition, r.baseOffset, r.lastOffset])).toEqual([
          [0, 0, 1],
          [1, 0, 0],
          [0, 2, 2],
        ]);
        expect((await readAll(l, 't', 0)).map((r) => text(r.value))).toEqual(['1', '2', '3']);
        const { producerId } = await l.initProducerId();
        const stamped = (baseSequence: number) => ({
          topic: 't',
          partition: 0,
          records: [rec('a', 'x')],
          producer: { producerId, producerEpoch: 0, baseSequence },
        });
        await expectCode(l.write([stamped(0), stamped(1)]), 'INVALID_REQUEST');
        expect(l.offsets('t', 0).highWatermark).toBe(3);
      });

      it('should move the log start forward with deleteRecords, as Kafka does', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        await l.append('t', 0, [rec('a', '0'), rec('a', '1')]);
        await l.append('t', 0, [rec('a', '2'), rec('a', '3')]);
        await l.append('t', 0, [rec('a', '4')]);
        expect(await l.deleteRecords('t', 0, 3)).toBe(3);
        expect(l.offsets('t', 0)).toMatchObject({ logStartOffset: 3, highWatermark: 5 });
        await expectCode(l.read('t', 0, 2), 'OFFSET_OUT_OF_RANGE');
        expect((await readAll(l, 't', 0)).map((r) => text(r.value))).toEqual(['3', '4']);
        expect(await l.deleteRecords('t', 0, 1)).toBe(3);
        await expectCode(l.deleteRecords('t', 0, 6), 'OFFSET_OUT_OF_RANGE');
        expect(await l.deleteRecords('t', 0, 5)).toBe(5);
        expect((await l.describeTopic('t')).partitions[0]!.sizeBytes).toBe(0);
        expect((await l.append('t', 0, [rec('a', '5')])).baseOffset).toBe(5);
      });

      it('should refuse a batch over max.message.bytes and append nothing of it', async () => {
        const l = await open();
        await l.createTopic({ topic: 't', configs: { 'max.message.bytes': 1000 } });
        const err = await expectCode(l.append('t', 0, [rec('k', 'x'.repeat(2000))]), 'MESSAGE_TOO_LARGE');
        expect(err.context).toMatchObject({ topic: 't', partition: 0, limit: 1000 });
        expect(l.offsets('t', 0).highWatermark).toBe(0);
        await l.append('t', 0, [rec('k', 'small')]);
        expect(l.offsets('t', 0).highWatermark).toBe(1);
      });

      it('should refuse a record without a key on a compacted topic', async () => {
        const l = await open();
        await l.createTopic({ topic: 't', configs: { 'cleanup.policy': 'compact' } });
        await expectCode(l.append('t', 0, [rec(null, 'v')]), 'INVALID_RECORD');
      });

      it('should store gzip batches when the producer or the topic asks, and read them back', async () => {
        const l = await open();
        await l.createTopic({ topic: 'p' });
        await l.createTopic({ topic: 'g', configs: { 'compression.type': 'gzip' } });
        const records = Array.from({ length: 50 }, (_, i) => rec(`k${i}`, 'same text '.repeat(20)));
        await l.write([{ topic: 'p', partition: 0, records, compression: 'gzip' }]);
        await l.append('g', 0, records);
        for (const topic of ['p', 'g']) {
          const read = await readAll(l, topic, 0);
          expect(read.map((r) => text(r.key))).toEqual(records.map((r) => text(r.key)));
          expect((await l.describeTopic(topic)).partitions[0]!.sizeBytes).toBeLessThan(2000);
        }
        // On Node 20 the zstd compressor is wasm that loads in the background; the size check waits for it.
        await zstdReady();
        for (const compression of ['snappy', 'lz4', 'zstd'] as const) {
          await l.createTopic({ topic: compression });
          await l.write([{ topic: compression, partition: 0, records, compression }]);
          expect((await readAll(l, compression, 0)).map((r) => text(r.value))).toEqual(
            records.map((r) => text(r.value)),
          );
          expect((await l.describeTopic(compression)).partitions[0]!.sizeBytes).toBeLessThan(2000);
        }
      });
    });

    describe('offset for a timestamp', () => {
      it('should find the earliest offset whose timestamp is at least t, across unordered timestamps', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        await l.append('t', 0, [rec('a', '0', 100), rec('a', '1', 300), rec('a', '2', 200)]);
        await l.append('t', 0, [rec('a', '3', 250), rec('a', '4', 500)]);
        expect(await l.offsetForTimestamp('t', 0, 0)).toBe(0);
        expect(await l.offsetForTimestamp('t', 0, 100)).toBe(0);
        expect(await l.offsetForTimestamp('t', 0, 101)).toBe(1);
        expect(await l.offsetForTimestamp('t', 0, 300)).toBe(1);
        expect(await l.offsetForTimestamp('t', 0, 301)).toBe(4);
        expect(await l.offsetForTimestamp('t', 0, 501)).toBeNull();
      });
    });

    describe('waiting for data', () => {
      it('should wake a reader waiting at the end when the next append lands', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        let woken = false;
        const waiting = l.waitForData('t', 0, 0).then(() => {
          woken = true;
        });
        await Promise.resolve();
        await new Promise((r) => setImmediate(r));
        expect(woken).toBe(false);
        await l.append('t', 0, [rec('k', 'v')]);
        await waiting;
        expect(woken).toBe(true);
        await l.waitForData('t', 0, 0);
      });

      it('should stop waiting when the signal aborts', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        const controller = new AbortController();
        const waiting = l.waitForData('t', 0, 0, controller.signal);
        controller.abort();
        await waiting;
        expect(l.offsets('t', 0).highWatermark).toBe(0);
      });
    });

    describe('retention', () => {
      it('should delete whole batches older than retention.ms from the head and advance the log start', async () => {
        const l = await open();
        await l.createTopic({ topic: 't', configs: { 'retention.ms': DAY } });
        const t0 = clock.now();
        await l.append('t', 0, [rec('a', '0', t0), rec('a', '1', t0)]);
        await l.append('t', 0, [rec('a', '2', t0 - 2 * DAY), rec('a', '3', t0 + 1000)]);
        await l.append('t', 0, [rec('a', '4', t0 + 2000)]);
        clock.advance(DAY + 1);
        await l.maintenance();
        expect(l.offsets('t', 0)).toMatchObject({ logStartOffset: 2, highWatermark: 5 });
        await expectCode(l.read('t', 0, 1), 'OFFSET_OUT_OF_RANGE');
        expect((await readAll(l, 't', 0)).map((r) => r.offset)).toEqual([2, 3, 4]);
        clock.advance(3000);
        await l.maintenance();
        expect(l.offsets('t', 0)).toMatchObject({ logStartOffset: 5, highWatermark: 5 });
        expect((await l.describeTopic('t')).partitions[0]!.sizeBytes).toBe(0);
        expect((await l.append('t', 0, [rec('a', '5')])).baseOffset).toBe(5);
      });

      it('should run retention from the clock in the background', async () => {
        const l = await open();
        await l.createTopic({ topic: 't', configs: { 'retention.ms': 1000 } });
        await l.append('t', 0, [rec('a', '0')]);
        clock.advance(60_000);
        // The timer fired and started a run; the next run waits for it.
        await l.maintenance();
        expect(l.offsets('t', 0).logStartOffset).toBe(1);
      });

      it('should delete head batches only while what stays is still at least retention.bytes', async () => {
        const l = await open();
        await l.createTopic({ topic: 't', configs: { 'retention.bytes': 0 } });
        for (let i = 0; i < 10; i++) await l.append('t', 0, [rec('k', 'x'.repeat(100))]);
        const size = (await l.describeTopic('t')).partitions[0]!.sizeBytes;
        const perBatch = size / 10;
        await l.alterConfigs('t', { 'retention.bytes': Math.floor(perBatch * 3.5) });
        await l.maintenance();
        const after = (await l.describeTopic('t')).partitions[0]!;
        // As Kafka: a batch goes only if the partition stays at or above retention.bytes without it.
        expect(after.logStartOffset).toBe(6);
        expect(after.sizeBytes).toBe(perBatch * 4);
        expect((await readAll(l, 't', 0)).map((r) => r.offset)).toEqual([6, 7, 8, 9]);
      });

      it('should keep everything with retention.ms -1 or a compact-only policy', async () => {
        const l = await open();
        await l.createTopic({ topic: 'forever', configs: { 'retention.ms': -1 } });
        await l.createTopic({ topic: 'table', configs: { 'cleanup.policy': 'compact', 'retention.ms': 1 } });
        await l.append('forever', 0, [rec('a', '0', 0)]);
        await l.append('table', 0, [rec('a', '0', 0)]);
        clock.advance(365 * DAY);
        await l.maintenance();
        expect(l.offsets('forever', 0).logStartOffset).toBe(0);
        expect(l.offsets('table', 0).logStartOffset).toBe(0);
      });

      it('should still find offsets by timestamp after retention', async () => {
        const l = await open();
        await l.createTopic({ topic: 't', configs: { 'retention.ms': 1000 } });
        const t0 = clock.now();
        await l.append('t', 0, [rec('a', '0', t0 - 5000)]);
        await l.append('t', 0, [rec('a', '1', t0 + 10), rec('a', '2', t0 + 5)]);
        await l.maintenance();
        expect(l.offsets('t', 0).logStartOffset).toBe(1);
        expect(await l.offsetForTimestamp('t', 0, 0)).toBe(1);
        expect(await l.offsetForTimestamp('t', 0, t0 + 6)).toBe(1);
      });
    });

    describe('compaction', () => {
      async function compactedTopic(l: EmbeddedLogBackend, configs: Record<string, unknown> = {}) {
        await l.createTopic({ topic: 'c', configs: { 'cleanup.policy': 'compact', ...configs } as never });
      }

      it('should keep the latest record per key with offsets unchanged', async () => {
        const l = await open();
        await compactedTopic(l);
        await l.append('c', 0, [rec('a', 'a1'), rec('b', 'b1'), rec('a', 'a2')]);
        await l.append('c', 0, [rec('c', 'c1'), rec('b', 'b2')]);
        await l.append('c', 0, [rec('d', 'd1')]);
        const result = await l.compact('c', 0);
        expect(result.recordsRemoved).toBe(2);
        const all = await readAll(l, 'c', 0);
        expect(all.map((r) => [r.offset, text(r.key), text(r.value)])).toEqual([
          [2, 'a', 'a2'],
          [3, 'c', 'c1'],
          [4, 'b', 'b2'],
          [5, 'd', 'd1'],
        ]);
        expect(l.offsets('c', 0)).toMatchObject({ logStartOffset: 0, highWatermark: 6 });
        expect((await l.read('c', 0, 0)).records[0]!.offset).toBe(2);
        expect((await l.append('c', 0, [rec('e', 'e1')])).baseOffset).toBe(6);
      });

      it('should never touch the newest batch', async () => {
        const l = await open();
        await compactedTopic(l);
        await l.append('c', 0, [rec('a', '1')]);
        await l.append('c', 0, [rec('a', '2'), rec('a', '3')]);
        await l.compact('c', 0);
        expect((await readAll(l, 'c', 0)).map((r) => text(r.value))).toEqual(['2', '3']);
      });

      it('should hide a key at once on a tombstone and drop the tombstone after delete.retention.ms', async () => {
        const l = await open();
        await compactedTopic(l, { 'delete.retention.ms': 1000 });
        await l.append('c', 0, [rec('a', 'a1'), rec('b', 'b1')]);
        await l.append('c', 0, [rec('a', null)]);
        await l.append('c', 0, [rec('z', 'newest')]);
        await l.compact('c', 0);
        let all = await readAll(l, 'c', 0);
        expect(all.map((r) => [r.offset, text(r.key), text(r.value)])).toEqual([
          [1, 'b', 'b1'],
          [2, 'a', null],
          [3, 'z', 'newest'],
        ]);
        clock.advance(999);
        await l.compact('c', 0);
        expect((await readAll(l, 'c', 0)).map((r) => r.offset)).toEqual([1, 2, 3]);
        clock.advance(1);
        await l.compact('c', 0);
        all = await readAll(l, 'c', 0);
        expect(all.map((r) => r.offset)).toEqual([1, 3]);
      });

      it('should leave records younger than min.compaction.lag.ms alone', async () => {
        const l = await open();
        await compactedTopic(l, { 'min.compaction.lag.ms': 10_000 });
        const t0 = clock.now();
        await l.append('c', 0, [rec('a', 'old', t0 - 20_000)]);
        await l.append('c', 0, [rec('a', 'young', t0 - 5_000)]);
        await l.append('c', 0, [rec('a', 'newest', t0)]);
        await l.compact('c', 0);
        expect((await readAll(l, 'c', 0)).map((r) => text(r.value))).toEqual(['old', 'young', 'newest']);
        clock.advance(6_000);
        await l.compact('c', 0);
        expect((await readAll(l, 'c', 0)).map((r) => text(r.value))).toEqual(['young', 'newest']);
      });

      it('should compact in the background once enough of the partition is dirty', async () => {
        const l = await open();
        await compactedTopic(l);
        for (let i = 0; i < 20; i++) await l.append('c', 0, [rec(`k${i % 2}`, `v${i}`)]);
        const report = await l.maintenance();
        expect(report.partitionsCompacted).toBe(1);
        expect((await readAll(l, 'c', 0)).map((r) => text(r.value))).toEqual(['v18', 'v19']);
        expect((await l.maintenance()).partitionsCompacted).toBe(0);
      });

      it('should lose nothing appended while it runs', async () => {
        const l = await open();
        await compactedTopic(l);
        for (let i = 0; i < 50; i++) {
          await l.append(
            'c',
            0,
            Array.from({ length: 20 }, (_, j) => rec(`k${j}`, `v${i}`)),
          );
        }
        const appends = Promise.all(Array.from({ length: 50 }, (_, i) => l.append('c', 0, [rec(`new${i}`, 'x')])));
        await Promise.all([l.compact('c', 0), appends]);
        const all = await readAll(l, 'c', 0);
        const keys = new Set(all.map((r) => text(r.key)));
        for (let i = 0; i < 50; i++) expect(keys.has(`new${i}`)).toBe(true);
        expect(all.filter((r) => text(r.key) === 'k0').map((r) => text(r.value))).toEqual(['v49']);
        expect(l.offsets('c', 0).highWatermark).toBe(1050);
      });
    });

    describe('idempotent producers', () => {
      it('should answer a retried batch with its first offsets and append it once', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        const a = await l.initProducerId();
        const b = await l.initProducerId();
        expect(a.producerId).not.toBe(b.producerId);
        const stamp = { producerId: a.producerId, producerEpoch: 0, baseSequence: 0 };
        const batch = [rec('k', '1'), rec('k', '2'), rec('k', '3')];
        const first = await l.write([{ topic: 't', partition: 0, records: batch, producer: stamp }]);
        const retry = await l.write([{ topic: 't', partition: 0, records: batch, producer: stamp }]);
        expect(retry[0]).toMatchObject({ baseOffset: first[0]!.baseOffset, lastOffset: 2 });
        expect(l.offsets('t', 0).highWatermark).toBe(3);
        const next = await l.write([
          { topic: 't', partition: 0, records: [rec('k', '4')], producer: { ...stamp, baseSequence: 3 } },
        ]);
        expect(next[0]!.baseOffset).toBe(3);
      });

      it('should take any first sequence from an unknown producer, and refuse gaps, new epochs not at 0 and fenced epochs', async () => {
        const l = await open();
        await l.createTopic({ topic: 't' });
        const { producerId } = await l.initProducerId();
        const at = (producerEpoch: number, baseSequence: number) => [
          { topic: 't', partition: 0, records: [rec('k', 'v')], producer: { producerId, producerEpoch, baseSequence } },
        ];
        // Kafka's ProducerStateManager: no state for the producer id, so its first sequence is taken as it is.
        await l.write(at(0, 5));
        const gap = await expectCode(l.write(at(0, 7)), 'OUT_OF_ORDER_SEQUENCE_NUMBER');
        expect(gap.context).toMatchObject({ expected: 6, received: 7 });
        await expectCode(l.write(at(1, 3)), 'OUT_OF_ORDER_SEQUENCE_NUMBER');
        await l.write(at(1, 0));
        await expectCode(l.write(at(0, 6)), 'PRODUCER_FENCED');
        expect(l.offsets('t', 0).highWatermark).toBe(2);
      });
    });

    describe('transactions', () => {
      async function txnSetup(l: EmbeddedLogBackend) {
        await l.createTopic({ topic: 'out', numPartitions: 2 });
        const producer = await l.initProducerId({ transactionalId: 'tx-1' });
        // Sequence numbers count per partition, as a Kafka producer keeps them.
        const sequences = [0, 0];
        const send = (partition: number, ...values: string[]) => {
          const baseSequence = sequences[partition]!;
          sequences[partition] = baseSequence + values.length;
          return l.write([
            {
              topic: 'out',
              partition,
              records: values.map((v) => rec('k', v)),
              producer: { ...producer, baseSequence, isTransactional: true },
            },
          ]);
        };
        return { producer, send };
      }
      const committed = async (l: EmbeddedLogBackend, partition: number) =>
        (await l.read('out', partition, 0, { isolation: 'read_committed' })).records.map((r) => text(r.value));
      const uncommitted = async (l: EmbeddedLogBackend, partition: number) =>
        (await l.read('out', partition, 0)).records.map((r) => text(r.value));

      it('should hide an open transaction from read_committed readers and show it to read_uncommitted ones', async () => {
        const l = await open();
        const { producer, send } = await txnSetup(l);
        await send(0, 'a', 'b');
        await l.append('out', 0, [rec('plain', 'after')]);
        expect(l.offsets('out', 0)).toMatchObject({ highWatermark: 3, lastStableOffset: 0 });
        expect(await committed(l, 0)).toEqual([]);
        expect(await uncommitted(l, 0)).toEqual(['a', 'b', 'after']);
        await l.endTransaction({ ...producer, commit: true });
        expect(l.offsets('out', 0)).toMatchObject({ highWatermark: 4, lastStableOffset: 4 });
        const read = await l.read('out', 0, 0, { isolation: 'read_committed' });
        expect(read.records.map((r) => [r.offset, text(r.value)])).toEqual([
          [0, 'a'],
          [1, 'b'],
          [2, 'after'],
        ]);
        expect(read.nextOffset).toBe(4);
      });

      it('should commit across partitions at once and never show aborted records to read_committed readers', async () => {
        const l = await open();
        const { producer, send } = await txnSetup(l);
        await send(0, 'x1');
        await send(1, 'y1');
        await l.endTransaction({ ...producer, commit: false });
        await send(0, 'x2');
        await send(1, 'y2');
        await l.endTransaction({ ...producer, commit: true });
        expect(await committed(l, 0)).toEqual(['x2']);
        expect(await committed(l, 1)).toEqual(['y2']);
        expect(await uncommitted(l, 0)).toEqual(['x1', 'x2']);
      });

      it('should wake a read_committed reader on commit, not on the transactional write', async () => {
        const l = await open();
        const { producer, send } = await txnSetup(l);
        let woken = false;
        const waiting = l.waitForData('out', 0, 0, undefined, 'read_committed').then(() => {
          woken = true;
        });
        await send(0, 'a');
        await new Promise((r) => setImmediate(r));
        expect(woken).toBe(false);
        await l.endTransaction({ ...producer, commit: true });
        await waiting;
        expect(woken).toBe(true);
      });

      it('should fence the previous producer of a transactional id and abort its open transaction', async () => {
        const l = await open();
        const { producer, send } = await txnSetup(l);
        await send(0, 'zombie');
        const next = await l.initProducerId({ transactionalId: 'tx-1' });
        expect(next).toEqual({ producerId: producer.producerId, producerEpoch: producer.producerEpoch + 1 });
        expect(l.offsets('out', 0).lastStableOffset).toBe(2);
        await expectCode(send(0, 'late'), 'PRODUCER_FENCED');
        await expectCode(l.endTransaction({ ...producer, commit: true }), 'PRODUCER_FENCED');
        expect(await committed(l, 0)).toEqual([]);
      });

      it('should abort a transaction open past its timeout', async () => {
        const l = await open();
        await l.createTopic({ topic: 'out' });
        const producer = await l.initProducerId({ transactionalId: 'slow', transactionTimeoutMs: 1000 });
        await l.write([
          {
            topic: 'out',
            partition: 0,
            records: [rec('k', 'v')],
            producer: { ...producer, baseSequence: 0, isTransactional: true },
          },
        ]);
        clock.advance(1001);
        expect((await l.maintenance()).transactionsAborted).toBeLessThanOrEqual(1);
        expect(l.offsets('out', 0).lastStableOffset).toBe(2);
        expect(await committed(l, 0)).toEqual([]);
        await expectCode(l.endTransaction({ ...producer, commit: true }), 'PRODUCER_FENCED');
      });

      it('should refuse a transactional write from a producer without a transactional id', async () => {
        const l = await open();
        await l.createTopic({ topic: 'out' });
        const producer = await l.initProducerId();
        await expectCode(
          l.write([
            {
              topic: 'out',
              partition: 0,
              records: [rec('k', 'v')],
              producer: { ...producer, baseSequence: 0, isTransactional: true },
            },
          ]),
          'INVALID_TXN_STATE',
        );
        await expectCode(l.endTransaction({ ...producer, commit: true }), 'INVALID_TXN_STATE');
      });

      it('should compact away aborted records and leave open transactions alone', async () => {
        const l = await open();
        await l.createTopic({ topic: 'c', configs: { 'cleanup.policy': 'compact' } });
        const producer = await l.initProducerId({ transactionalId: 'tx-c' });
        let seq = 0;
        const send = (value: string) =>
          l.write([
            {
              topic: 'c',
              partition: 0,
              records: [rec('k', value)],
              producer: { ...producer, baseSequence: seq++, isTransactional: true },
            },
          ]);
        await l.append('c', 0, [rec('k', 'committed')]);
        await send('aborted');
        await l.endTransaction({ ...producer, commit: false });
        await send('open');
        await l.append('c', 0, [rec('other', 'newest')]);
        await l.compact('c', 0);
        const values = (await readAll(l, 'c', 0)).map((r) => text(r.value));
        expect(values).toEqual(['committed', null, 'open', 'newest'].filter((v) => v !== null));
      });
    });

    if (options.reopen !== undefined) {
      const reopen = options.reopen;
      describe('after a restart', () => {
        it('should keep topics, configs, records, offsets and the log start', async () => {
          let l = await open();
          await l.createTopic({ topic: 't', numPartitions: 2, configs: { 'retention.ms': DAY } });
          await l.createTopic({ topic: 'c', configs: { 'cleanup.policy': 'compact' } });
          await l.append('t', 1, [rec('a', 'old', clock.now() - 2 * DAY)]);
          await l.append('t', 1, [rec('b', 'new'), rec('c', 'newer')]);
          await l.append('c', 0, [rec('k', '1'), rec('k', '2')]);
          await l.append('c', 0, [rec('k', '3')]);
          await l.maintenance();
          await l.compact('c', 0);
          l = await reopen(l, clock);
          log = l;
          expect(await l.listTopics()).toEqual(['c', 't']);
          expect((await l.describeTopic('t')).overrides).toEqual({ 'retention.ms': DAY });
          expect(l.offsets('t', 1)).toMatchObject({ partition: 1, logStartOffset: 1, highWatermark: 3 });
          expect((await readAll(l, 't', 1)).map((r) => text(r.value))).toEqual(['new', 'newer']);
          expect((await readAll(l, 'c', 0)).map((r) => [r.offset, text(r.value)])).toEqual([[2, '3']]);
          expect((await l.append('t', 1, [rec('d', 'd')])).baseOffset).toBe(3);
          expect(await l.offsetForTimestamp('t', 1, clock.now())).toBe(1);
        });

        it('should keep producer state and open transactions', async () => {
          let l = await open();
          await l.createTopic({ topic: 't' });
          const idem = await l.initProducerId();
          const txn = await l.initProducerId({ transactionalId: 'tx-r' });
          const batch = [
            { topic: 't', partition: 0, records: [rec('k', 'v')], producer: { ...idem, baseSequence: 0 } },
          ];
          await l.write(batch);
          await l.write([
            {
              topic: 't',
              partition: 0,
              records: [rec('k', 'open')],
              producer: { ...txn, baseSequence: 0, isTransactional: true },
            },
          ]);
          l = await reopen(l, clock);
          log = l;
          expect((await l.write(batch))[0]!.baseOffset).toBe(0);
          expect(l.offsets('t', 0)).toMatchObject({ highWatermark: 2, lastStableOffset: 1 });
          expect((await l.read('t', 0, 0, { isolation: 'read_committed' })).records).toHaveLength(1);
          const next = await l.initProducerId({ transactionalId: 'tx-r' });
          expect(next.producerEpoch).toBe(txn.producerEpoch + 1);
          expect(l.offsets('t', 0)).toMatchObject({ highWatermark: 3, lastStableOffset: 3 });
          expect((await l.read('t', 0, 0, { isolation: 'read_committed' })).records.map((r) => text(r.value))).toEqual([
            'v',
          ]);
          expect((await l.initProducerId()).producerId).toBeGreaterThan(txn.producerId);
        });

        it('should finish deleting a topic and keep ids unique', async () => {
          let l = await open();
          const first = await l.createTopic({ topic: 'gone' });
          await l.append('gone', 0, [rec('a', '1')]);
          await l.deleteTopic('gone');
          l = await reopen(l, clock);
          log = l;
          expect(await l.listTopics()).toEqual([]);
          const again = await l.createTopic({ topic: 'gone' });
          expect(again.topicId).toBeGreaterThan(first.topicId);
          expect(l.offsets('gone', 0).highWatermark).toBe(0);
        });
      });
    }

    it('should refuse every call after close with LOG_CLOSED', async () => {
      const l = await open();
      await l.createTopic({ topic: 't' });
      await l.close();
      await expectCode(l.append('t', 0, [rec('a', 'b')]), 'LOG_CLOSED');
      await expectCode(l.listTopics(), 'LOG_CLOSED');
      log = undefined;
    });
  });
}
