/**
 * The send half of Kafka's production exception handler: a record a sink's topic refuses (too
 * large for `max.message.bytes`, no key on a compacted topic, a timestamp outside the topic's
 * bounds) is refused as the sink sends it, with the log's own code, and the handler's `handle`
 * decides: CONTINUE drops that record alone and the rest commits (Kafka's RecordCollectorImpl
 * after a failed send callback); FAIL, or no handler, stops the task with nothing of the
 * transaction committed. The checks agree with what the log itself takes, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.ts';
import { DEFAULT_TOPIC_CONFIG, effectiveConfig, type LogHeader, openLog } from '../../../src/log/index.ts';
import { Serdes } from '../../../src/serde/index.ts';
import {
  KafkaStreams,
  type ProcessingExceptionHandler,
  type SendExceptionHandler,
  StreamsBuilder,
} from '../../../src/streams/index.ts';
import { checkRecord, recordChecksOf } from '../../../src/streams/runtime/record-checks.ts';

const S = Serdes.String();
const io = { keySerde: S, valueSerde: S };
const clock = new ManualClock(1_000_000);
const NO_HEADERS: readonly LogHeader[] = [];

/** The code of what the log refuses the append with; undefined when it takes it. */
async function logRefusal(append: Promise<unknown>): Promise<string | undefined> {
  try {
    await append;
    return undefined;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

function refusal(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('record checks', () => {
  it('should refuse a record without a key on a compacted topic only', () => {
    const compacted = recordChecksOf('t', effectiveConfig({ 'cleanup.policy': 'compact' }))!;
    const plain = recordChecksOf('t', DEFAULT_TOPIC_CONFIG)!;
    const v = Buffer.from('v');
    expect(refusal(() => checkRecord(compacted, 0, null, v, 1, NO_HEADERS, clock))).toBe('INVALID_RECORD');
    expect(refusal(() => checkRecord(compacted, 0, Buffer.from('k'), v, 1, NO_HEADERS, clock))).toBeUndefined();
    expect(refusal(() => checkRecord(plain, 0, null, v, 1, NO_HEADERS, clock))).toBeUndefined();
  });

  it('should refuse by size exactly where the log does, headers counted', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    try {
      const limit = 300;
      await log.createTopic({ topic: 't', configs: { 'max.message.bytes': limit } });
      const checks = recordChecksOf('t', (await log.describeTopic('t')).configs)!;
      const headers: LogHeader[] = [{ key: 'h', value: Buffer.alloc(40) }];
      for (const withHeaders of [false, true]) {
        const outcomes = new Set<string | undefined>();
        for (let n = 150; n < 260; n++) {
          const key = Buffer.from('k');
          const value = Buffer.alloc(n);
          const h = withHeaders ? headers : NO_HEADERS;
          const ours = refusal(() => checkRecord(checks, 0, key, value, 5, h, clock));
          const logs = await logRefusal(log.append('t', 0, [{ key, value, timestamp: 5, headers: [...h] }]));
          expect([n, withHeaders, ours]).toEqual([n, withHeaders, logs]);
          outcomes.add(ours);
        }
        // The sizes cross the limit: both answers were compared.
        expect(outcomes).toEqual(new Set([undefined, 'MESSAGE_TOO_LARGE']));
      }
    } finally {
      await log.close();
    }
  });

  it('should leave the size of a record to a topic that compresses its batches itself', () => {
    const gzip = recordChecksOf('t', effectiveConfig({ 'max.message.bytes': 100, 'compression.type': 'gzip' }))!;
    expect(refusal(() => checkRecord(gzip, 0, null, Buffer.alloc(1000), 1, NO_HEADERS, clock))).toBeUndefined();
  });

  it("should refuse timestamps outside the topic's bounds around the clock's now", () => {
    const bounded = recordChecksOf(
      't',
      effectiveConfig({ 'message.timestamp.before.max.ms': 1000, 'message.timestamp.after.max.ms': 10 }),
    )!;
    const at = (ts: number) => refusal(() => checkRecord(bounded, 0, null, null, ts, NO_HEADERS, clock));
    expect([at(999_000), at(998_999), at(1_000_010), at(1_000_011), at(-1)]).toEqual([
      undefined,
      'INVALID_TIMESTAMP',
      undefined,
      'INVALID_TIMESTAMP',
      undefined,
    ]);
    // A LogAppendTime topic stamps its own: no bound applies.
    const stamped = recordChecksOf(
      't',
      effectiveConfig({ 'message.timestamp.type': 'LogAppendTime', 'message.timestamp.after.max.ms': 10 }),
    )!;
    expect(refusal(() => checkRecord(stamped, 0, null, null, 5_000_000, NO_HEADERS, clock))).toBeUndefined();
  });

  it('should check nothing of a topic whose configs are unknown', () => {
    expect(recordChecksOf('t', undefined)).toBeUndefined();
  });
});

/** A topology mapping `in` to `out` as it is, and the log holding `values` in `in` with `outConfigs` on `out`. */
async function app(values: (string | null)[], outConfigs: Record<string, string | number>, keys?: (string | null)[]) {
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
  await log.createTopic({ topic: 'in' });
  await log.createTopic({ topic: 'out', configs: outConfigs });
  await log.append(
    'in',
    0,
    values.map((v, i) => {
      const key = keys === undefined ? 'k' : keys[i];
      return {
        key: key === null || key === undefined ? null : Buffer.from(key),
        value: v === null ? null : Buffer.from(v),
        timestamp: clock.now() + i,
      };
    }),
  );
  const builder = new StreamsBuilder();
  builder.stream('in', io).to('out', io);
  return { log, topology: builder.build() };
}

function recording(response: 'CONTINUE' | 'FAIL' | 'RETRY') {
  const calls: { node: string; offset: number; topic: string; partition: number; value: string; code: string }[] = [];
  const handle: SendExceptionHandler = (context, record, error) => {
    calls.push({
      node: context.processorNodeId,
      offset: context.offset,
      topic: record.topic,
      partition: record.partition,
      value: Buffer.from(record.value ?? []).toString(),
      code: (error as { code: string }).code,
    });
    return response;
  };
  return { calls, handle };
}

async function values(log: Awaited<ReturnType<typeof openLog>>, topic: string): Promise<string[]> {
  const { records } = await log.read(topic, 0, 0, { isolation: 'read_committed' });
  return records.map((r) => Buffer.from(r.value!).toString());
}

/** Starts `streams` and resolves with the error that stops it. */
async function failure(streams: KafkaStreams): Promise<unknown> {
  const failed = new Promise<unknown>((resolve) => {
    streams.setUncaughtExceptionHandler((error) => {
      resolve(error);
      return 'SHUTDOWN_CLIENT';
    });
  });
  await streams.start();
  const error = await failed;
  await streams.close().catch(() => undefined);
  return error;
}

describe("production exception handler's handle (KafkaStreams on the embedded log)", () => {
  const big = 'x'.repeat(400);

  it('should drop a record too large for its topic with CONTINUE and commit the rest', async () => {
    const { log, topology } = await app(['a', big, 'c'], { 'max.message.bytes': 300 });
    try {
      const processing: unknown[] = [];
      const { calls, handle } = recording('CONTINUE');
      const streams = new KafkaStreams(topology, {
        applicationId: 'send-continue',
        log,
        productionExceptionHandler: { handle },
        processingExceptionHandler: ((_c, _r, e) => {
          processing.push(e);
          return 'CONTINUE';
        }) satisfies ProcessingExceptionHandler,
      });
      await streams.start();
      await streams.waitForIdle();
      expect(streams.state).toBe('RUNNING');
      await streams.close();
      expect(await values(log, 'out')).toEqual(['a', 'c']);
      expect(calls).toEqual([
        {
          node: 'KSTREAM-SINK-0000000001',
          offset: 1,
          topic: 'out',
          partition: 0,
          value: big,
          code: 'MESSAGE_TOO_LARGE',
        },
      ]);
      // A refusal is the production handler's alone.
      expect(processing).toEqual([]);
      // The input's offsets were committed past the dropped record: a restart reads nothing again.
      const again = new KafkaStreams(topology, { applicationId: 'send-continue', log });
      await again.start();
      await again.waitForIdle();
      await again.close();
      expect(await values(log, 'out')).toEqual(['a', 'c']);
    } finally {
      await log.close();
    }
  });

  it('should stop the task with MESSAGE_TOO_LARGE without a handler, committing nothing of the transaction', async () => {
    const { log, topology } = await app(['a', big, 'c'], { 'max.message.bytes': 300 });
    try {
      const error = await failure(new KafkaStreams(topology, { applicationId: 'send-default', log }));
      expect(error).toMatchObject({ code: 'MESSAGE_TOO_LARGE', topic: 'out', partition: 0 });
      expect(await values(log, 'out')).toEqual([]);
    } finally {
      await log.close();
    }
  });

  it('should stop the task with FAIL, and take RETRY as FAIL for a refusal', async () => {
    for (const response of ['FAIL', 'RETRY'] as const) {
      const { log, topology } = await app(['a', big], { 'max.message.bytes': 300 });
      try {
        const { calls, handle } = recording(response);
        const error = await failure(
          new KafkaStreams(topology, {
            applicationId: `send-${response}`,
            log,
            productionExceptionHandler: { handle },
          }),
        );
        expect([response, (error as { code: string }).code, calls.length]).toEqual([response, 'MESSAGE_TOO_LARGE', 1]);
        expect(await values(log, 'out')).toEqual([]);
      } finally {
        await log.close();
      }
    }
  });

  it('should stop the task with what a handler throws', async () => {
    const { log, topology } = await app(['a', big], { 'max.message.bytes': 300 });
    try {
      const error = await failure(
        new KafkaStreams(topology, {
          applicationId: 'send-throws',
          log,
          productionExceptionHandler: {
            handle: () => {
              throw new Error('handler gave up');
            },
          },
        }),
      );
      expect((error as Error).message).toBe('handler gave up');
    } finally {
      await log.close();
    }
  });

  it('should ask about a record without a key for a compacted topic', async () => {
    const { log, topology } = await app(['a', 'b', 'c'], { 'cleanup.policy': 'compact' }, ['k1', null, 'k3']);
    try {
      const { calls, handle } = recording('CONTINUE');
      const streams = new KafkaStreams(topology, {
        applicationId: 'send-null-key',
        log,
        productionExceptionHandler: { handle },
      });
      await streams.start();
      await streams.waitForIdle();
      await streams.close();
      expect(await values(log, 'out')).toEqual(['a', 'c']);
      expect(calls.map((c) => [c.value, c.code])).toEqual([['b', 'INVALID_RECORD']]);
    } finally {
      await log.close();
    }
  });

  it("should ask about a timestamp outside the topic's bounds", async () => {
    const { log, topology } = await app(['a', 'b'], { 'message.timestamp.after.max.ms': 0 });
    try {
      // The input's records are at now and now + 1: the second is in the sink topic's future.
      const { calls, handle } = recording('CONTINUE');
      const streams = new KafkaStreams(topology, {
        applicationId: 'send-timestamp',
        log,
        productionExceptionHandler: { handle },
      });
      await streams.start();
      await streams.waitForIdle();
      await streams.close();
      expect(await values(log, 'out')).toEqual(['a']);
      expect(calls.map((c) => [c.value, c.code])).toEqual([['b', 'INVALID_TIMESTAMP']]);
    } finally {
      await log.close();
    }
  });

  it('should keep a handler object as `this` when asking it', async () => {
    const { log, topology } = await app(['a', big], { 'max.message.bytes': 300 });
    try {
      class Counting {
        dropped = 0;
        handle(): 'CONTINUE' {
          this.dropped++;
          return 'CONTINUE';
        }
      }
      const handler = new Counting();
      const streams = new KafkaStreams(topology, {
        applicationId: 'send-this',
        log,
        productionExceptionHandler: handler,
      });
      await streams.start();
      await streams.waitForIdle();
      await streams.close();
      expect(handler.dropped).toBe(1);
    } finally {
      await log.close();
    }
  });
});
