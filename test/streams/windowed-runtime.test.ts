import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import {
  BufferConfig,
  KafkaStreams,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  WindowedSerdes,
} from '../../src/streams/index.ts';
import { L, S, windowedCounts } from './helpers.ts';

const enc = new TextEncoder();
const WS = WindowedSerdes.timeWindowedSerdeFrom(S, 10);

function topology(): StreamsBuilder {
  const b = new StreamsBuilder();
  b.stream('events', { keySerde: S, valueSerde: S })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
    .count({ materialized: { storeName: 'windowed-counts', storeType: 'in-memory' } })
    .suppress(Suppressed.withName(Suppressed.untilWindowCloses(BufferConfig.unbounded()), 'final'))
    .toStream()
    .to('final-counts', { keySerde: WS, valueSerde: L });
  return b;
}

describe('windowed, suppressed count on a real log', () => {
  it('should create compact,delete window changelogs, and give exact final counts across a restart restored from the changelogs', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'events', numPartitions: 1 });
    await log.createTopic({ topic: 'final-counts', numPartitions: 1 });
    const send = (key: string, ts: number) =>
      log.append('events', 0, [{ key: enc.encode(key), value: enc.encode('x'), timestamp: ts }]);
    for (const ts of [1, 2, 3, 11]) await send('a', ts);
    const first = new KafkaStreams(topology().build(), { applicationId: 'win', log, commitIntervalMs: 5 });
    await first.start();
    await first.waitForIdle();
    await first.close();
    const changelog = await log.describeTopic('win-windowed-counts-changelog');
    expect(changelog.configs['cleanup.policy']).toBe('compact,delete');
    // Window [10, 20) is still open and buffered; a restart must restore both the window store and the buffer.
    for (const ts of [12, 25]) await send('a', ts);
    const second = new KafkaStreams(topology().build(), { applicationId: 'win', log, commitIntervalMs: 5 });
    await second.start();
    await second.waitForIdle();
    await second.close();
    expect(await windowedCounts(log, 'final-counts', WS)).toEqual([
      ['a', 0, 3, 3],
      ['a', 10, 2, 12],
    ]);
  });
});

describe('windowed keys written to a topic', () => {
  it('should partition by the key alone, as Kafka’s WindowedStreamPartitioner: every window of a key in its partition', async () => {
    const { defaultPartition } = await import('../../src/protocol/index.ts');
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'events', numPartitions: 1 });
    await log.createTopic({ topic: 'counts', numPartitions: 4 });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    await log.append(
      'events',
      0,
      [5, 15, 25].flatMap((ts) => keys.map((k) => ({ key: enc.encode(k), value: enc.encode('x'), timestamp: ts }))),
    );
    const b = new StreamsBuilder();
    b.stream('events', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .toStream()
      .to('counts', { keySerde: WS, valueSerde: L });
    const streams = new KafkaStreams(b.build(), { applicationId: 'win-partitions', log });
    await streams.start();
    await streams.waitForIdle();
    await streams.close();
    const seen: string[] = [];
    for (let p = 0; p < 4; p++) {
      for (const r of (await log.read('counts', p, 0)).records) {
        const w = WS.deserialize('counts', r.key)!;
        expect(p).toBe(defaultPartition(enc.encode(w.key), 4));
        seen.push(`${w.key}@${w.window.start}`);
      }
    }
    expect(seen.sort()).toEqual(keys.flatMap((k) => [0, 10, 20].map((s) => `${k}@${s}`)).sort());
    await log.close();
  });

  it('should partition session-windowed keys by the key alone too', async () => {
    const { defaultPartition } = await import('../../src/protocol/index.ts');
    const SWS = WindowedSerdes.sessionWindowedSerdeFrom(S);
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'events', numPartitions: 1 });
    await log.createTopic({ topic: 'sessions', numPartitions: 4 });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'a-longer-key'];
    // Two sessions per key (the 1 and 2 merge, the 30 stands alone): merges write tombstones too.
    await log.append(
      'events',
      0,
      [1, 2, 30].flatMap((ts) => keys.map((k) => ({ key: enc.encode(k), value: enc.encode('x'), timestamp: ts }))),
    );
    const b = new StreamsBuilder();
    b.stream('events', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .count()
      .toStream()
      .to('sessions', { keySerde: SWS, valueSerde: L });
    const streams = new KafkaStreams(b.build(), { applicationId: 'session-partitions', log });
    await streams.start();
    await streams.waitForIdle();
    await streams.close();
    const seen = new Set<string>();
    let records = 0;
    for (let p = 0; p < 4; p++) {
      for (const r of (await log.read('sessions', p, 0)).records) {
        const w = SWS.deserialize('sessions', r.key)!;
        expect(p).toBe(defaultPartition(enc.encode(w.key), 4));
        seen.add(w.key);
        records++;
      }
    }
    expect([...seen].sort()).toEqual([...keys].sort());
    expect(records).toBeGreaterThanOrEqual(2 * keys.length);
    await log.close();
  });
});

describe('a session-windowed count on a real log, cached as Kafka caches it', () => {
  const SS = WindowedSerdes.sessionWindowedSerdeFrom(S);

  async function run(cachingEnabled: boolean) {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'events', numPartitions: 1 });
    await log.createTopic({ topic: 'sessions', numPartitions: 1 });
    for (const [key, ts] of [
      ['a', 1],
      ['a', 3],
      ['b', 2],
      ['a', 5],
    ] as const)
      await log.append('events', 0, [{ key: enc.encode(key), value: enc.encode('x'), timestamp: ts }]);
    const b = new StreamsBuilder();
    b.stream('events', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
      .count({ materialized: { storeName: 'session-counts', cachingEnabled } })
      .toStream()
      .to('sessions', { keySerde: SS, valueSerde: L });
    // One commit for the four records: the cache holds what they did until then.
    const streams = new KafkaStreams(b.build(), { applicationId: 'sessions', log, commitIntervalMs: 60_000 });
    await streams.start();
    await streams.waitForIdle();
    await streams.close();
    const read = async (topic: string) =>
      (await log.read(topic, 0, 0)).records.map((r) => {
        const w = SS.deserialize(topic, r.key)!;
        return [w.key, w.window.start, w.window.end, r.value === null ? null : L.deserialize(topic, r.value)];
      });
    return { out: await read('sessions'), changelog: await read('sessions-session-counts-changelog') };
  }

  it('should forward each session once per commit with its latest count, and log it once (Kafka’s CachingSessionStore)', async () => {
    const { out, changelog } = await run(true);
    // In the order of each session's last write, as Kafka's cache flushes: [1,1] and [1,3] were
    // written (removed) after b's session, then [1,5]; the removed ones, never flushed, go nowhere.
    expect(out).toEqual([
      ['b', 2, 2, 1],
      ['a', 1, 5, 3],
    ]);
    expect(changelog).toEqual(out);
  });

  it('should forward every update, with the merged sessions’ tombstones, without the cache', async () => {
    const { out } = await run(false);
    expect(out).toEqual([
      ['a', 1, 1, 1],
      ['a', 1, 1, null],
      ['a', 1, 3, 2],
      ['b', 2, 2, 1],
      ['a', 1, 3, null],
      ['a', 1, 5, 3],
    ]);
  });
});
