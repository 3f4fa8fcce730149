import { bufferCount, firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { StreamsBuilder, type TableChange } from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { I, S } from './helpers.ts';

describe('rxjs interop', () => {
  it("should emit a stream's records and a table's changes synchronously as they are processed", async () => {
    const b = new StreamsBuilder();
    const stream = b.stream('in', { keySerde: S, valueSerde: I });
    const records = stream.filter((_k, v) => v > 0).toObservable();
    const changes = stream
      .groupByKey()
      .reduce((a, v) => a + v, { materialized: { storeName: 'sums', valueSerde: I } })
      .toObservable();
    const firstTwo = firstValueFrom(records.pipe(take(2), toArray()));
    const pairs: TableChange<string, number>[][] = [];
    changes.pipe(bufferCount(2)).subscribe((p) => pairs.push(p));
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('in', S, I);
    input.pipeInput('a', 1, 10);
    input.pipeInput('a', -1, 11);
    input.pipeInput('b', 5, 12);
    expect((await firstTwo).map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 1, 10],
      ['b', 5, 12],
    ]);
    expect(pairs).toEqual([
      [
        { key: 'a', newValue: 1, oldValue: null, timestamp: 10 },
        { key: 'a', newValue: 0, oldValue: 1, timestamp: 11 },
      ],
    ]);
  });
});
