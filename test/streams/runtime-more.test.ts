import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { openLog } from '../../src/log/index.ts';
import { KafkaStreams, type ProcessorContext, StreamsBuilder } from '../../src/streams/index.ts';
import { I, S } from './helpers.ts';

const enc = new TextEncoder();

function countTopology(): StreamsBuilder {
  const b = new StreamsBuilder();
  b.stream('events', { keySerde: S, valueSerde: S })
    .groupByKey()
    .count({ materialized: 'counts' })
    .toStream()
    .to('counts-out', { keySerde: S, valueSerde: I as never });
  return b;
}

async function setup(partitions = 4) {
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'events', numPartitions: partitions });
  await log.createTopic({ topic: 'counts-out', numPartitions: partitions });
  return log;
}

async function produce(log: Awaited<ReturnType<typeof setup>>, keys: string[]) {
  const { defaultPartition } = await import('../../src/protocol/index.ts');
  for (const k of keys)
    await log.append('events', defaultPartition(enc.encode(k), log.partitionCount('events')), [
      { key: enc.encode(k), value: enc.encode('x') },
    ]);
}

describe('several instances of one app in one process', () => {
  it('should share the tasks, and move them (restored from changelogs) when an instance leaves', async () => {
    const log = await setup(4);
    const keys = Array.from({ length: 40 }, (_, i) => `k${i % 10}`);
    await produce(log, keys);
    const a = new KafkaStreams(countTopology().build(), { applicationId: 'multi', log, commitIntervalMs: 5 });
    const b = new KafkaStreams(countTopology().build(), { applicationId: 'multi', log, commitIntervalMs: 5 });
    await a.start();
    await b.start();
    await a.waitForIdle();
    await b.waitForIdle();
    expect([...a.tasks, ...b.tasks].sort()).toEqual(['0_0', '0_1', '0_2', '0_3']);
    expect(a.tasks.length).toBe(2);
    const total = (s: KafkaStreams) =>
      s
        .store<string, number>('counts')
        .all()
        .reduce((n, e) => n + e.value, 0);
    expect(total(a) + total(b)).toBe(40);

    await b.close();
    await produce(log, keys);
    await a.waitForIdle();
    expect(a.tasks.sort()).toEqual(['0_0', '0_1', '0_2', '0_3']);
    const store = a.store<string, number>('counts');
    for (let i = 0; i < 10; i++) expect(store.get(`k${i}`)).toBe(8);
    await a.close();
  });
});

describe('handlers', () => {
  it('should skip bad records with a CONTINUE deserialization handler and fail the app with FAIL', async () => {
    const log = await setup(1);
    await log.append('events', 0, [
      { key: enc.encode('a'), value: enc.encode('x') },
      { key: new Uint8Array([0xff, 0xfe]), value: enc.encode('x') },
      { key: enc.encode('a'), value: enc.encode('y') },
    ]);
    const bad: unknown[] = [];
    const ok = new KafkaStreams(countTopology().build(), {
      applicationId: 'deser-continue',
      log,
      deserializationExceptionHandler: ({ topic, partition, offset }) => {
        bad.push({ topic, partition, offset });
        return 'CONTINUE';
      },
    });
    await ok.start();
    await ok.waitForIdle();
    expect(bad).toEqual([{ topic: 'events', partition: 0, offset: 1 }]);
    expect(ok.store<string, number>('counts').get('a')).toBe(2);
    await ok.close();

    const failing = new KafkaStreams(countTopology().build(), { applicationId: 'deser-fail', log });
    const states: string[] = [];
    failing.setStateListener((s) => states.push(s));
    await failing.start().catch(() => undefined);
    await expect(failing.waitForIdle()).rejects.toMatchObject({ code: 'SERIALIZATION_ERROR', offset: 1 });
    expect(failing.state).toBe('ERROR');
    expect(states.slice(-2)).toEqual(['PENDING_ERROR', 'ERROR']);
    await failing.close();
  });

  it('should replace the thread after an exception, resuming from the last commit without double counting', async () => {
    const log = await setup(1);
    let thrown = false;
    const b = new StreamsBuilder();
    b.stream('events', { keySerde: S, valueSerde: S })
      .peek((_k, v) => {
        if (v === 'boom' && !thrown) {
          thrown = true;
          throw new Error('boom');
        }
      })
      .groupByKey()
      .count({ materialized: 'counts' });
    const streams = new KafkaStreams(b.build(), { applicationId: 'replace', log, commitIntervalMs: 60_000 });
    const errors: unknown[] = [];
    streams.setUncaughtExceptionHandler((e) => {
      errors.push(e);
      return 'REPLACE_THREAD';
    });
    await streams.start();
    await log.append(
      'events',
      0,
      ['x', 'x', 'boom', 'x'].map((v) => ({ key: enc.encode('a'), value: enc.encode(v) })),
    );
    await streams.waitForIdle();
    expect(errors).toHaveLength(1);
    expect(streams.state).toBe('RUNNING');
    expect(streams.store<string, number>('counts').get('a')).toBe(4);
    await streams.close();
  });
});

describe('global tables and wall-clock punctuation on the runtime', () => {
  it('should fill a global table before processing and follow its updates', async () => {
    const log = await setup(2);
    await log.createTopic({ topic: 'names', numPartitions: 3 });
    await log.createTopic({ topic: 'greetings', numPartitions: 2 });
    await log.append('names', 1, [{ key: enc.encode('u1'), value: enc.encode('Ann') }]);
    const b = new StreamsBuilder();
    const names = b.globalTable('names', { keySerde: S, valueSerde: S, materialized: 'names-store' });
    b.stream('events', { keySerde: S, valueSerde: S })
      .leftJoin(
        names,
        (k) => k,
        (_v, name) => `hello ${name ?? 'stranger'}`,
      )
      .to('greetings', { keySerde: S, valueSerde: S });
    const streams = new KafkaStreams(b.build(), { applicationId: 'glob', log });
    await streams.start();
    expect(streams.store<string, string>('names-store').get('u1')).toBe('Ann');
    await produce(log, ['u1', 'u2']);
    await streams.waitForIdle();
    await log.append('names', 2, [{ key: enc.encode('u2'), value: enc.encode('Bob') }]);
    await streams.waitForIdle();
    await produce(log, ['u2']);
    await streams.waitForIdle();
    const out: string[] = [];
    for (let p = 0; p < 2; p++)
      for (const r of (await log.read('greetings', p, 0)).records) out.push(S.deserialize('greetings', r.value)!);
    expect(out.sort()).toEqual(['hello Ann', 'hello Bob', 'hello stranger']);
    await streams.close();
  });

  it('should fire wall-clock punctuators on the streams clock', async () => {
    const clock = new ManualClock(1_000);
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
    await log.createTopic({ topic: 'events', numPartitions: 1 });
    const ticks: number[] = [];
    const b = new StreamsBuilder();
    b.stream('events', { keySerde: S, valueSerde: S }).process(() => ({
      init(ctx: ProcessorContext) {
        ctx.schedule(500, 'WALL_CLOCK_TIME', (t) => ticks.push(t));
      },
      process() {},
    }));
    const streams = new KafkaStreams(b.build(), { applicationId: 'wall', log, clock });
    await streams.start();
    for (let i = 0; i < 3; i++) {
      clock.advance(500);
      for (let j = 0; j < 5 && ticks.length <= i; j++) await new Promise((r) => setImmediate(r));
    }
    expect(ticks).toEqual([1_500, 2_000, 2_500]);
    await streams.close();
  });
});

describe('commits larger than a sink topic takes in one batch', () => {
  it('should split what outgrows max.message.bytes into several batches and lose nothing', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'events', numPartitions: 1 });
    await log.createTopic({ topic: 'counts-out', numPartitions: 1, configs: { 'max.message.bytes': 2_000 } });
    await log.append(
      'events',
      0,
      Array.from({ length: 500 }, (_, i) => ({ key: enc.encode(`key-${i}`), value: enc.encode('x') })),
    );
    const streams = new KafkaStreams(countTopology().build(), {
      applicationId: 'split',
      log,
      commitIntervalMs: 60_000,
    });
    await streams.start();
    await streams.waitForIdle();
    const { records } = await log.read('counts-out', 0, 0, { maxBytes: 1 << 20 });
    const all: unknown[] = [...records];
    for (let at = records.length; at < log.offsets('counts-out', 0).highWatermark; ) {
      const r = await log.read('counts-out', 0, at);
      all.push(...r.records);
      at = r.nextOffset;
    }
    expect(all).toHaveLength(500);
    await streams.close();
  });
});

describe('persistent stores under stateDir', () => {
  it('should restore only what the checkpoint misses, and everything after cleanUp()', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const stateDir = mkdtempSync(join(tmpdir(), 'trib-state-'));
    try {
      const log = await setup(1);
      await produce(log, ['a', 'b', 'a']);
      const first = new KafkaStreams(countTopology().build(), { applicationId: 'persist', log, stateDir });
      await first.start();
      await first.waitForIdle();
      await first.close();
      await produce(log, ['a']);
      const second = new KafkaStreams(countTopology().build(), { applicationId: 'persist', log, stateDir });
      await second.start();
      await second.waitForIdle();
      expect(second.store<string, number>('counts').get('a')).toBe(3);
      await second.close();
      await second.cleanUp();
      const third = new KafkaStreams(countTopology().build(), { applicationId: 'persist', log, stateDir });
      await third.start();
      expect(third.store<string, number>('counts').get('a')).toBe(3);
      expect(third.store<string, number>('counts').get('b')).toBe(1);
      await third.close();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('offsets without outputs', () => {
  it('should commit the input offsets of records that produced nothing, and be idle after', async () => {
    const log = await setup(1);
    const b = new StreamsBuilder();
    b.stream('events', { keySerde: S, valueSerde: S })
      .filter(() => false)
      .to('counts-out', { keySerde: S, valueSerde: S });
    await produce(log, ['a', 'b', 'c']);
    const streams = new KafkaStreams(b.build(), { applicationId: 'filtered', log, commitIntervalMs: 60_000 });
    await streams.start();
    await streams.waitForIdle();
    await streams.close();
    const { readCommittedOffsets } = await import('../../src/streams/internal/offsets.ts');
    expect((await readCommittedOffsets(log, 'filtered')).get('events:0')?.offset).toBe(3);
  });

  describe('close with a timeout (Kafka close(Duration))', () => {
    it('should answer true when closed in time, false when the timeout passed first, and finish the close anyway', async () => {
      const clock = new ManualClock(1_000);
      const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
      try {
        await log.createTopic({ topic: 'events', numPartitions: 2 });
        await log.createTopic({ topic: 'counts-out', numPartitions: 2 });
        const quick = new KafkaStreams(countTopology().build(), { applicationId: 'close-quick', log });
        await quick.start();
        expect(await quick.close({ timeout: 60_000 })).toBe(true);
        expect(quick.state).toBe('NOT_RUNNING');

        const slow = new KafkaStreams(countTopology().build(), { applicationId: 'close-slow', log });
        await slow.start();
        const answer = slow.close({ timeout: 50 });
        // The close takes turns of the event loop; the app's clock passes the timeout before them.
        clock.advance(50);
        expect(await answer).toBe(false);
        // A second close joins the one on its way and resolves when it is done.
        await slow.close();
        expect(slow.state).toBe('NOT_RUNNING');
        await expect(slow.close({ timeout: -1 })).rejects.toThrow(TypeError);
      } finally {
        await log.close();
      }
    });
  });
});
