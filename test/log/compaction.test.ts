import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { type EmbeddedLogBackend, type LogRecord, openLog } from '../../src/log/index.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function readAll(log: EmbeddedLogBackend): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (let offset = 0; ; ) {
    const { records, nextOffset } = await log.read('c', 0, offset, { maxBytes: 1 << 20 });
    out.push(...records);
    if (nextOffset >= log.offsets('c', 0).highWatermark) return out;
    offset = nextOffset;
  }
}

/** The latest value of every key, as a reader of the whole partition sees it. */
function latestByKey(records: LogRecord[]): Map<string, string | null> {
  const latest = new Map<string, string | null>();
  for (const r of records) latest.set(dec.decode(r.key!), r.value === null ? null : dec.decode(r.value));
  return latest;
}

describe('compaction with a bounded key map', () => {
  it('should clean as far as the map holds and go on from there on the next compaction, never losing a latest value', async () => {
    const clock = new ManualClock(1_000_000);
    // Room for about three one-byte keys: each compaction maps a few batches only.
    const log = await openLog({ storage: 'memory', clock, maintenanceIntervalMs: 0, compactionMapBytes: 200 });
    await log.createTopic({ topic: 'c', configs: { 'cleanup.policy': 'compact' } });
    const keys = 'abcdefghij';
    for (let i = 0; i < 40; i++) {
      // Each batch updates two keys; batch i holds keys i and i+1 (mod 10).
      await log.append('c', 0, [
        { key: enc.encode(keys[i % 10]!), value: enc.encode(`v${i}`) },
        { key: enc.encode(keys[(i + 1) % 10]!), value: enc.encode(`w${i}`) },
      ]);
    }
    const expected = latestByKey(await readAll(log));
    const before = (await readAll(log)).length;

    const first = await log.compact('c', 0);
    const afterFirst = await readAll(log);
    expect(latestByKey(afterFirst)).toEqual(expected);
    // Only the part of the log whose keys fitted was cleaned.
    expect(first.recordsRemoved).toBeGreaterThan(0);
    expect(afterFirst.length).toBeGreaterThan(10 + 2);

    let removed = first.recordsRemoved;
    for (let run = 0; run < 40; run++) {
      const result = await log.compact('c', 0);
      removed += result.recordsRemoved;
      expect(latestByKey(await readAll(log))).toEqual(expected);
    }
    const final = await readAll(log);
    // Ten keys remain, plus the newest batch, which is never rewritten (its records count as latest).
    expect(final.length).toBeLessThanOrEqual(10 + 2);
    expect(before - final.length).toBe(removed);
    const offsets = final.map((r) => r.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    await log.close();
  });

  it('should refuse a compactionMapBytes that is not positive', async () => {
    await expect(openLog({ storage: 'memory', compactionMapBytes: 0 })).rejects.toThrow(TypeError);
  });
});
