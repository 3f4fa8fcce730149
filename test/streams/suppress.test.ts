import { describe, expect, it } from 'vitest';
import {
  BufferConfig,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  SessionWindows,
  windowedToString,
} from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { L, S } from './helpers.ts';

const rows = (list: { key: unknown; value: unknown; timestamp: number }[]) =>
  list.map((r) => [r.key, r.value, r.timestamp]);

describe('suppress (Kafka SuppressScenarioTest)', () => {
  it('shouldSupportFinalResultsForTimeWindows: one result per window once stream time passes end + grace; late records dropped', () => {
    const b = new StreamsBuilder();
    const counts = b
      .stream('input', { keySerde: S, valueSerde: S })
      .groupBy((k) => k, { keySerde: S, valueSerde: S })
      .windowedBy(TimeWindows.ofSizeAndGrace(2, 1))
      .count({ materialized: { storeName: 'counts', cachingEnabled: false } });
    counts
      .toStream()
      .map((k, v) => ({ key: windowedToString(k), value: v }))
      .to('output-raw', { keySerde: S, valueSerde: L });
    counts
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .map((k, v) => ({ key: windowedToString(k), value: v }))
      .to('output-suppressed', { keySerde: S, valueSerde: L });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('input', S, S);
    for (const t of [0, 1, 2, 1, 0, 5, 0]) input.pipeInput('k1', 'v1', t);
    expect(rows(d.createOutputTopic('output-raw', S, L).readRecordsToList())).toEqual([
      ['[k1@0/2]', 1, 0],
      ['[k1@0/2]', 2, 1],
      ['[k1@2/4]', 1, 2],
      ['[k1@0/2]', 3, 1],
      ['[k1@0/2]', 4, 1],
      ['[k1@4/6]', 1, 5],
    ]);
    expect(rows(d.createOutputTopic('output-suppressed', S, L).readRecordsToList())).toEqual([
      ['[k1@0/2]', 4, 1],
      ['[k1@2/4]', 1, 2],
    ]);
  });

  it('shouldSupportFinalResultsForSessionWindows: a session is final once stream time passes end + gap + grace; merged-away sessions say nothing', () => {
    const b = new StreamsBuilder();
    b.stream('input', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0))
      .count({ materialized: { storeName: 'counts', cachingEnabled: false } })
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .map((k, v) => ({ key: windowedToString(k), value: v }))
      .to('output-suppressed', { keySerde: S, valueSerde: L });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('input', S, S);
    input.pipeInput('k1', 'v1', 0);
    input.pipeInput('k1', 'v1', 5);
    input.pipeInput('k1', 'v1', 1);
    input.pipeInput('k2', 'v1', 11); // stream time 11: session [0,5] closes at 5 + 5 + 0 = 10
    expect(rows(d.createOutputTopic('output-suppressed', S, L).readRecordsToList())).toEqual([['[k1@0/5]', 3, 5]]);
    input.pipeInput('k2', 'v1', 30);
    expect(rows(d.createOutputTopic('output-suppressed', S, L).readRecordsToList())).toEqual([['[k2@11/11]', 1, 11]]);
  });

  it('untilTimeLimit: the latest update of a key goes out once stream time is the limit past it', () => {
    const b = new StreamsBuilder();
    b.table('input', { keySerde: S, valueSerde: S, materialized: { cachingEnabled: false } })
      .groupBy((k, v) => ({ key: v, value: k }), { keySerde: S, valueSerde: S })
      .count({ materialized: { storeName: 'value-counts', cachingEnabled: false } })
      .suppress(Suppressed.untilTimeLimit(2, BufferConfig.unbounded()))
      .toStream()
      .to('output-suppressed', { keySerde: S, valueSerde: L });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('input', S, S);
    const out = d.createOutputTopic('output-suppressed', S, L);
    input.pipeInput('k1', 'v1', 0);
    input.pipeInput('k1', 'v2', 1);
    input.pipeInput('k2', 'v1', 2);
    expect(out.readRecordsToList()).toEqual([]);
    input.pipeInput('tick', 'tick', 3); // expiry 1: v2 (last updated at 1)
    expect(rows(out.readRecordsToList())).toEqual([['v2', 1, 1]]);
    input.pipeInput('tick', 'tick', 4); // expiry 2: v1 (updated at 2)
    expect(rows(out.readRecordsToList())).toEqual([['v1', 1, 2]]);
  });

  it('buffer limits: emitEarlyWhenFull emits the oldest early, shutDownWhenFull fails, and untilWindowCloses refuses non-strict buffers and unwindowed tables', () => {
    const early = new StreamsBuilder();
    early
      .stream('input', { keySerde: S, valueSerde: S })
      .groupByKey()
      .count()
      .suppress(Suppressed.untilTimeLimit(100, BufferConfig.maxRecords(1)))
      .toStream()
      .to('out', { keySerde: S, valueSerde: L });
    const d = new TopologyTestDriver(early.build());
    const input = d.createInputTopic('input', S, S);
    input.pipeInput('a', 'x', 0);
    input.pipeInput('b', 'x', 1);
    expect(rows(d.createOutputTopic('out', S, L).readRecordsToList())).toEqual([['a', 1, 0]]);

    const strict = new StreamsBuilder();
    strict
      .stream('input', { keySerde: S, valueSerde: S })
      .groupByKey()
      .count()
      .suppress(Suppressed.untilTimeLimit(100, BufferConfig.maxRecords(1).shutDownWhenFull()));
    const d2 = new TopologyTestDriver(strict.build());
    const input2 = d2.createInputTopic('input', S, S);
    input2.pipeInput('a', 'x', 0);
    expect(() => input2.pipeInput('b', 'x', 1)).toThrow(expect.objectContaining({ code: 'ILLEGAL_STATE' }));

    const grouped = new StreamsBuilder().stream('input', { keySerde: S, valueSerde: S }).groupByKey();
    expect(() => grouped.count().suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))).toThrow(
      expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }),
    );
    expect(() =>
      grouped
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
        .count()
        .suppress(Suppressed.untilWindowCloses(BufferConfig.maxRecords(5))),
    ).toThrow(expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }));
  });

  it('the buffer is a store with a changelog: its writes are logged', () => {
    const b = new StreamsBuilder();
    b.stream('input', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .suppress(Suppressed.withName(Suppressed.untilWindowCloses(BufferConfig.unbounded()), 'final'));
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('input', S, S);
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 10);
    const logged = d.readTopic('test-final-store-changelog');
    // put [a@0/10], put [a@10/20], then the emitted [a@0/10] deleted.
    expect(logged.map((r) => r.value === null)).toEqual([false, false, true]);
  });
});
