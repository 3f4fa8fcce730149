import { describe, expect, it } from 'vitest';
import {
  SessionWindows,
  StreamsBuilder,
  type Windowed,
  WindowedSerdes,
  windowedToString,
} from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { L, S } from './helpers.ts';

/** A session count written to 'out'; `read()` gives its records as `[window, count, timestamp]`. */
function sessionCount(windows: SessionWindows) {
  const b = new StreamsBuilder();
  const table = b
    .stream('in', { keySerde: S, valueSerde: S })
    .groupByKey()
    .windowedBy(windows)
    .count({ materialized: { storeName: 'sessions', cachingEnabled: false } });
  table.toStream().to('out', { keySerde: WindowedSerdes.sessionWindowedSerdeFrom(S), valueSerde: L });
  const d = new TopologyTestDriver(b.build());
  const input = d.createInputTopic('in', S, S);
  const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowedSerdeFrom(S), L);
  const read = () =>
    out.readRecordsToList().map((r) => [windowedToString(r.key as Windowed<string>), r.value, r.timestamp]);
  return { d, input, read };
}

describe('session windows (Kafka KStreamSessionWindowAggregateProcessorTest)', () => {
  it('shouldCreateSingleSessionWhenWithinGap / shouldRemoveMergedSessionsFromStateStore: a record within the gap merges, the old session is deleted', () => {
    const { d, input, read } = sessionCount(SessionWindows.ofInactivityGapAndGrace(30, 10_000));
    input.pipeInput('john', 'a', 0);
    input.pipeInput('john', 'b', 10);
    expect(read()).toEqual([
      ['[john@0/0]', 1, 0],
      ['[john@0/0]', null, 0],
      ['[john@0/10]', 2, 10],
    ]);
    expect(d.getSessionStore<string, number>('sessions').fetch('john')).toEqual([
      { key: { key: 'john', window: { start: 0, end: 10 } }, value: 2 },
    ]);
  });

  it('shouldHaveMultipleSessionsForSameIdWhenTimestampApartBySessionGap: records more than the gap apart make separate sessions', () => {
    const { d, input, read } = sessionCount(SessionWindows.ofInactivityGapAndGrace(30, 10_000));
    input.pipeInput('john', 'a', 0);
    input.pipeInput('john', 'b', 31);
    input.pipeInput('mel', 'c', 31);
    expect(read()).toEqual([
      ['[john@0/0]', 1, 0],
      ['[john@31/31]', 1, 31],
      ['[mel@31/31]', 1, 31],
    ]);
    expect(
      d
        .getSessionStore<string, number>('sessions')
        .fetch('john')
        .map((e) => e.value),
    ).toEqual([1, 1]);
  });

  it('shouldMergeSessions: an out-of-order record bridging two sessions merges them into one, deleting both', () => {
    const { d, input, read } = sessionCount(SessionWindows.ofInactivityGapAndGrace(30, 10_000));
    input.pipeInput('a', '1', 0);
    input.pipeInput('a', '2', 40);
    input.pipeInput('a', '3', 20);
    expect(read()).toEqual([
      ['[a@0/0]', 1, 0],
      ['[a@40/40]', 1, 40],
      ['[a@0/0]', null, 0],
      ['[a@40/40]', null, 40],
      ['[a@0/40]', 3, 40],
    ]);
    expect(d.getSessionStore<string, number>('sessions').findSessions('a', 0, 100)).toEqual([
      { key: { key: 'a', window: { start: 0, end: 40 } }, value: 3 },
    ]);
  });

  it('shouldLogAndMeterWhenSkippingLateRecordWithZeroGrace: a session ending before stream time - gap - grace is dropped and counted', () => {
    const { d, input, read } = sessionCount(SessionWindows.ofInactivityGapWithNoGrace(30));
    input.pipeInput('a', '1', 100);
    input.pipeInput('b', '2', 50); // 50 < 100 - 30: late
    input.pipeInput('b', '3', 70); // 70 ≥ 70: still accepted
    expect(read()).toEqual([
      ['[a@100/100]', 1, 100],
      ['[b@70/70]', 1, 70],
    ]);
    expect(d.getSessionStore('sessions').metrics.droppedRecords).toBe(1);
  });

  it('reduce and aggregate merge sessions with the reducer and the merger', () => {
    const b = new StreamsBuilder();
    const grouped = b.stream('in', { keySerde: S, valueSerde: S }).groupByKey();
    const windows = SessionWindows.ofInactivityGapAndGrace(10, 100);
    grouped.windowedBy(windows).reduce((a, v) => `${a}${v}`, { materialized: 'reduced' });
    grouped.windowedBy(windows).aggregate(
      () => '',
      (_k, v, agg) => `${agg}${v}`,
      (_k, l, r) => `${l}|${r}`,
      { materialized: { storeName: 'aggregated', valueSerde: S } },
    );
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'x', 0);
    input.pipeInput('k', 'y', 20);
    input.pipeInput('k', 'z', 10);
    expect(d.getSessionStore<string, string>('reduced').fetch('k')).toEqual([
      { key: { key: 'k', window: { start: 0, end: 20 } }, value: 'xyz' },
    ]);
    expect(d.getSessionStore<string, string>('aggregated').fetch('k')).toEqual([
      { key: { key: 'k', window: { start: 0, end: 20 } }, value: '|x|yz' },
    ]);
  });

  it('a closed session (end + gap + grace ≤ stream time) is gone: a record near it starts a new one', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
      .reduce((a, v) => `${a}${v}`, { materialized: 'reduced' });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'x', 0);
    input.pipeInput('k', 'y', 20);
    input.pipeInput('k', 'z', 10);
    expect(d.getSessionStore<string, string>('reduced').fetch('k')).toEqual([
      { key: { key: 'k', window: { start: 10, end: 20 } }, value: 'yz' },
    ]);
  });
});
