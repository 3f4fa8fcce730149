import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { JoinWindows, KafkaStreams, StreamsBuilder } from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { S } from './helpers.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

function topology(storeType?: 'in-memory') {
  const b = new StreamsBuilder();
  b.stream('left', { keySerde: S, valueSerde: S })
    .join(
      b.stream('right', { keySerde: S, valueSerde: S }),
      (l: string, r: string) => `${l}+${r}`,
      JoinWindows.ofTimeDifferenceWithNoGrace(10),
      {
        keySerde: S,
        valueSerde: S,
        otherValueSerde: S,
        ...(storeType !== undefined ? { storeType } : {}),
      },
    )
    .to('joined', { keySerde: S, valueSerde: S });
  return b.build();
}

const records = (side: string, items: [string, number][]) =>
  items.map(([k, t]) => ({ key: enc.encode(k), value: enc.encode(`${side}${k}${t}`), timestamp: t }));

describe("a stream-stream join's window stores across restarts", () => {
  for (const stateDir of [undefined, 'level'] as const) {
    it(`finds the records of a previous run (${stateDir === undefined ? 'restored from the changelog' : 'kept in LevelDB'}), without expired ones`, async () => {
      const dir = stateDir === undefined ? undefined : mkdtempSync(join(tmpdir(), 'trib-join-'));
      const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
      for (const topic of ['left', 'right', 'joined']) await log.createTopic({ topic, numPartitions: 1 });
      const options = { applicationId: 'join-restart', log, ...(dir !== undefined ? { stateDir: dir } : {}) };
      try {
        // First run: left records of a, b (twice at 5: duplicates kept) and an old one of c.
        await log.append(
          'left',
          0,
          records('L', [
            ['c', 0],
            ['a', 5],
            ['a', 5],
            ['b', 30],
            ['a', 40],
          ]),
        );
        let streams = new KafkaStreams(topology(), options);
        await streams.start();
        await streams.waitForIdle();
        await streams.close();
        expect(log.offsets('joined', 0).highWatermark).toBe(0);
        // Second run: right records meet what the first run stored. Stream time was 40: c@0 had
        // expired from the store (retention 20) as had a@5; b@30 and a@40 are still there.
        await log.append(
          'right',
          0,
          records('R', [
            ['a', 12],
            ['b', 35],
            ['c', 5],
            ['a', 45],
          ]),
        );
        streams = new KafkaStreams(topology(), options);
        await streams.start();
        await streams.waitForIdle();
        await streams.close();
        const out = (await log.read('joined', 0, 0)).records.map((r) => [
          dec.decode(r.key!),
          dec.decode(r.value!),
          r.timestamp,
        ]);
        expect(out).toEqual([
          ['b', 'Lb30+Rb35', 35],
          ['a', 'La40+Ra45', 45],
        ]);
      } finally {
        await log.close();
        if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a record joins the duplicates and records of one key in timestamp order, and the store answers window queries', () => {
    const d = new TopologyTestDriver(topology('in-memory'), { applicationId: 'join-store' });
    const left = d.createInputTopic('left', S, S);
    const right = d.createInputTopic('right', S, S);
    const out = d.createOutputTopic('joined', S, S);
    left.pipeInput('k', 'L7', 7);
    left.pipeInput('k', 'L3', 3);
    left.pipeInput('k', 'L5a', 5);
    left.pipeInput('k', 'L5b', 5);
    left.pipeInput('kk', 'X', 5);
    right.pipeInput('k', 'R', 8);
    expect(out.readKeyValuesToList().map((kv) => kv.value)).toEqual(['L3+R', 'L5a+R', 'L5b+R', 'L7+R']);
    const store = d.getWindowStore<string, string>('KSTREAM-JOINTHIS-0000000004-store');
    expect(store.fetch('k', 4, 7)).toEqual([
      { key: 5, value: 'L5a' },
      { key: 5, value: 'L5b' },
      { key: 7, value: 'L7' },
    ]);
    expect(store.all().map((kv) => [kv.key.key, kv.key.window.start, kv.value])).toEqual([
      ['k', 3, 'L3'],
      ['k', 5, 'L5a'],
      ['k', 5, 'L5b'],
      ['kk', 5, 'X'],
      ['k', 7, 'L7'],
    ]);
    d.close();
  });
});
