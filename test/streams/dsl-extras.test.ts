import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Printed, type ProcessorContext, StreamsBuilder } from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { I, L, S } from './helpers.ts';

describe('KStream.print(Printed)', () => {
  it("prints [label]: key, value lines, labelled with the node name by default (Kafka's PrintForeachAction)", () => {
    const lines: string[] = [];
    const b = new StreamsBuilder();
    const s = b.stream('in', { keySerde: S, valueSerde: I });
    s.print(Printed.toLines(lines.push.bind(lines)));
    s.print(
      Printed.toLines<string, number>((l) => lines.push(l))
        .withLabel('doubled')
        .withKeyValueMapper((k, v) => `${k}=${v * 2}`),
    );
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('in', S, I);
    input.pipeInput('a', 1, 0);
    input.pipeInput(null, 2, 0);
    expect(lines).toEqual([
      '[KSTREAM-PRINTER-0000000001]: a, 1',
      '[doubled]: a=2',
      '[KSTREAM-PRINTER-0000000001]: null, 2',
      '[doubled]: null=4',
    ]);
  });

  it('appends to a file with toFile, and withName names the node', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'printed-')), 'out.txt');
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).print(Printed.toFile<string, string>(file).withName('debug'));
    expect(b.build().describe().toString()).toContain('Processor: debug (stores: [])');
    const d = new TopologyTestDriver(b.build());
    d.createInputTopic('in', S, S).pipeInput('k', 'v', 0);
    d.createInputTopic('in', S, S).pipeInput('k', 'w', 0);
    expect(readFileSync(file, 'utf8')).toBe('[debug]: k, v\n[debug]: k, w\n');
  });
});

describe('KTable.transformValues', () => {
  it('transforms new and old values, deletes included, with access to a store; the getter serves joins', () => {
    const b = new StreamsBuilder();
    const scores = b.table('scores', { keySerde: S, valueSerde: I });
    const ranked = scores.transformValues<string>(() => ({
      transform: (player, score) =>
        score === null ? `${player}:gone` : `${player}:${score >= 100 ? 'gold' : 'silver'}`,
    }));
    ranked.toStream().to('ranked', { keySerde: S, valueSerde: S });
    b.stream('lookups', { keySerde: S, valueSerde: S })
      .join(ranked, (q, r) => `${q}->${r}`)
      .to('answers', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('scores', S, I);
    input.pipeInput('ann', 120, 1);
    input.pipeInput('bob', 5, 2);
    input.pipeInput('ann', null, 3);
    expect(d.createOutputTopic('ranked', S, S).readKeyValuesToList()).toEqual([
      { key: 'ann', value: 'ann:gold' },
      { key: 'bob', value: 'bob:silver' },
      { key: 'ann', value: 'ann:gone' },
    ]);
    d.createInputTopic('lookups', S, S).pipeInput('bob', 'q', 4);
    expect(d.createOutputTopic('answers', S, S).readValuesToList()).toEqual(['q->bob:silver']);
  });

  it('materializes the result when asked and names the node', () => {
    const b = new StreamsBuilder();
    b.table('t', { keySerde: S, valueSerde: I }).transformValues<number>(
      () => ({ transform: (_k, v) => (v === null ? null : v * 10) }),
      {
        name: 'times-ten',
        materialized: { storeName: 'tens', valueSerde: I },
      },
    );
    const topology = b.build();
    expect(topology.describe().toString()).toContain('Processor: times-ten (stores: [tens])');
    const d = new TopologyTestDriver(topology);
    d.createInputTopic('t', S, I).pipeInput('k', 4, 7);
    expect(d.getTimestampedKeyValueStore<string, number>('tens').get('k')).toEqual({ value: 40, timestamp: 7 });
  });
});

describe('Named on process and processValues', () => {
  it('names the processor node and still connects the stores', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .process<string, string>(
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init(c) {
              ctx = c;
            },
            process(r) {
              ctx.forward({ ...r, value: r.value.toUpperCase() });
            },
          };
        },
        { name: 'upper' },
      )
      .processValues<string>(
        () => {
          let ctx: ProcessorContext<string, string>;
          return {
            init(c) {
              ctx = c;
            },
            process(r) {
              ctx.forward({ ...r, value: `${r.value}!` });
            },
          };
        },
        { name: 'bang' },
      )
      .to('out', { keySerde: S, valueSerde: S });
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: upper');
    expect(text).toContain('Processor: bang');
    const d = new TopologyTestDriver(b.build());
    d.createInputTopic('in', S, S).pipeInput('k', 'hi', 0);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['HI!']);
  });
});

describe('TopologyTestDriver cacheMaxBytes', () => {
  const counting = () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .flatMapValues((line) => line.split(' '))
      .groupBy((_k, w) => w, { keySerde: S, valueSerde: S })
      .count()
      .toStream()
      .to('counts', { keySerde: S, valueSerde: L });
    return b.build();
  };

  it('collapses updates of a key within one input record with the cache on, and forwards each with it off', () => {
    for (const [cacheMaxBytes, expected] of [
      [undefined, [['a', 2]]],
      [
        0,
        [
          ['a', 1],
          ['a', 2],
        ],
      ],
    ] as const) {
      const d = new TopologyTestDriver(counting(), cacheMaxBytes === undefined ? {} : { cacheMaxBytes });
      d.createInputTopic('in', S, S).pipeInput(null, 'a a', 0);
      expect(
        d
          .createOutputTopic('counts', S, L)
          .readKeyValuesToList()
          .map(({ key, value }) => [key, value]),
      ).toEqual(expected);
    }
  });

  it('refuses a negative cache size with INVALID_CONFIG', () => {
    expect(() => new TopologyTestDriver(counting(), { cacheMaxBytes: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });

  it('auto-advances input timestamps (createInputTopic start and step)', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).to('out', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('in', S, S, { startTimestampMs: 100, autoAdvanceMs: 10 });
    input.pipeInput('a', '1');
    input.pipeInput('b', '2');
    input.pipeInput('c', '3', 5);
    expect(
      d
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((r) => r.timestamp),
    ).toEqual([100, 110, 5]);
  });
});
