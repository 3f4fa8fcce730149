/**
 * Kafka Streams' built-in timestamp extractors and `default.timestamp.extractor`, as Kafka's
 * FailOnInvalidTimestamp, LogAndSkipOnInvalidTimestamp, UsePartitionTimeOnInvalidTimestamp and
 * WallclockTimestampExtractor behave (their unit tests, TimestampExtractorTest and
 * UsePartitionTimeOnInvalidTimestampTest, as outcomes through the test driver and a running app).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { openLog } from '../../src/log/index.ts';
import { Serdes } from '../../src/serde/index.ts';
import {
  FailOnInvalidTimestamp,
  KafkaStreams,
  LogAndSkipOnInvalidTimestamp,
  StreamsBuilder,
  type TimestampExtractor,
  UsePartitionTimeOnInvalidTimestamp,
  WallclockTimestampExtractor,
} from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';

const S = Serdes.String();

function passThrough(extractor?: TimestampExtractor) {
  const b = new StreamsBuilder();
  b.stream('in', { keySerde: S, valueSerde: S, ...(extractor ? { timestampExtractor: extractor } : {}) }).to('out', {
    keySerde: S,
    valueSerde: S,
  });
  return b.build();
}

function run(driver: TopologyTestDriver, inputs: [string, number][]) {
  const input = driver.createInputTopic('in', S, S);
  for (const [value, timestamp] of inputs) input.pipeInput('k', value, timestamp);
  return driver
    .createOutputTopic('out', S, S)
    .readRecordsToList()
    .map((r) => [r.value, r.timestamp]);
}

describe('timestamp extractors', () => {
  it("should stop on a negative record timestamp by default, as Kafka's FailOnInvalidTimestamp", () => {
    const driver = new TopologyTestDriver(passThrough());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'a', 5);
    expect(() => input.pipeInput('k', 'b', -1)).toThrow(
      expect.objectContaining({ code: 'INVALID_TIMESTAMP', topic: 'in', offset: 1 }),
    );
    expect(() => FailOnInvalidTimestamp(record(-1), 7, new ManualClock(0))).toThrow(
      expect.objectContaining({ code: 'INVALID_TIMESTAMP' }),
    );
    expect(FailOnInvalidTimestamp(record(3), 7, new ManualClock(0))).toBe(3);
  });

  it('should drop a record with a negative timestamp with LogAndSkipOnInvalidTimestamp as the app default', () => {
    const driver = new TopologyTestDriver(passThrough(), { defaultTimestampExtractor: LogAndSkipOnInvalidTimestamp });
    expect(
      run(driver, [
        ['a', 5],
        ['b', -1],
        ['c', 6],
      ]),
    ).toEqual([
      ['a', 5],
      ['c', 6],
    ]);
  });

  it('should stamp a negative timestamp with the partition time, and stop when there is none yet (UsePartitionTimeOnInvalidTimestamp)', () => {
    const driver = new TopologyTestDriver(passThrough(), {
      defaultTimestampExtractor: UsePartitionTimeOnInvalidTimestamp,
    });
    expect(
      run(driver, [
        ['a', 5],
        ['b', 9],
        ['c', -1],
        ['d', 7],
      ]),
    ).toEqual([
      ['a', 5],
      ['b', 9],
      ['c', 9],
      ['d', 7],
    ]);
    expect(UsePartitionTimeOnInvalidTimestamp(record(-1), 42, new ManualClock(0))).toBe(42);
    const fresh = new TopologyTestDriver(passThrough(), {
      defaultTimestampExtractor: UsePartitionTimeOnInvalidTimestamp,
    });
    expect(() => fresh.createInputTopic('in', S, S).pipeInput('k', 'x', -1)).toThrow(
      expect.objectContaining({ code: 'INVALID_TIMESTAMP' }),
    );
  });

  it("should stamp records with the app's clock with WallclockTimestampExtractor, whatever they carry", () => {
    const driver = new TopologyTestDriver(passThrough(WallclockTimestampExtractor), { startTimeMs: 1_000 });
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'a', 5);
    driver.advanceWallClockTime(500);
    input.pipeInput('k', 'b', -1);
    expect(
      driver
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((r) => [r.value, r.timestamp]),
    ).toEqual([
      ['a', 1_000],
      ['b', 1_500],
    ]);
  });

  it("should prefer a source's own extractor to the app's default", () => {
    const driver = new TopologyTestDriver(
      passThrough((r) => Number(r.value === 'a' ? 11 : r.timestamp)),
      { defaultTimestampExtractor: WallclockTimestampExtractor },
    );
    expect(
      run(driver, [
        ['a', 5],
        ['b', 6],
      ]),
    ).toEqual([
      ['a', 11],
      ['b', 6],
    ]);
  });

  it('should stop a running app on a record without a timestamp, with the default extractor', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    try {
      await log.createTopic({ topic: 'in' });
      await log.createTopic({ topic: 'out' });
      await log.append('in', 0, [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: -1 }]);
      const streams = new KafkaStreams(passThrough(), { applicationId: 'ts-default', log });
      const failed = new Promise<unknown>((resolve) => {
        streams.setUncaughtExceptionHandler((error) => {
          resolve(error);
          return 'SHUTDOWN_CLIENT';
        });
      });
      await streams.start();
      expect(await failed).toMatchObject({ code: 'INVALID_TIMESTAMP', topic: 'in', offset: 0 });
      await streams.close().catch(() => undefined);
      expect(log.offsets('out', 0).highWatermark).toBe(0);
    } finally {
      await log.close();
    }
  });
});

function record(timestamp: number) {
  return { topic: 't', partition: 0, offset: 3, key: null, value: null, timestamp };
}
