/**
 * The check of LevelDB's table files that `trib doctor --repair` runs before LevelDB's own repair
 * (which reads tables without checking their checksums, and aborts the process on some damaged
 * keys): every flipped bit in a block, its trailer, the index or the footer's handles is found.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLog } from '../../../src/log/index.ts';
import { damagedLevelDbTables, findTableDamage } from '../../../src/log/storage/leveldb-files.ts';
import { snappyDecompress } from '../../../src/protocol/compression/snappy.ts';

const dir = mkdtempSync(join(tmpdir(), 'tributary-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const uncompress = (block: Uint8Array) => snappyDecompress(block, 1 << 30);
const enc = new TextEncoder();
let table: Buffer;

beforeAll(async () => {
  // Written, closed and opened again: LevelDB flushes its log into a table on the reopen.
  let log = await openLog({ dataDir: dir, maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 3 });
  for (let b = 0; b < 40; b++) {
    for (let p = 0; p < 3; p++) {
      await log.append(
        't',
        p,
        Array.from({ length: 5 }, (_, i) => ({
          key: enc.encode(`k${i}`),
          value: enc.encode(`value ${b} ${'x'.repeat(b)}`),
          // Fixed timestamps: the same table bytes on every run, so a missed bit is found again.
          timestamp: 1_700_000_000_000 + b,
        })),
      );
    }
  }
  await log.close();
  log = await openLog({ dataDir: dir, maintenanceIntervalMs: 0 });
  await log.close();
  const [name] = readdirSync(dir).filter((n) => n.endsWith('.ldb'));
  table = readFileSync(join(dir, name!));
});

describe('LevelDB table check', () => {
  it('should pass the tables LevelDB wrote', () => {
    expect(table.length).toBeGreaterThan(1000);
    expect(findTableDamage(table, uncompress)).toBeUndefined();
    expect(damagedLevelDbTables(dir, uncompress)).toEqual([]);
  });

  it('should find every flipped bit outside the footer padding', () => {
    // The footer is 48 bytes: two block handles (varints), zero padding, an 8-byte magic number.
    const footer = table.length - 48;
    let handles = footer;
    for (let varints = 0; varints < 4; handles++) if (table[handles]! < 0x80) varints++;
    const missed: number[] = [];
    for (let at = 0; at < table.length; at++) {
      if (at >= handles && at < table.length - 8) continue;
      const copy = Buffer.from(table);
      copy[at]! ^= 1 << (at % 8);
      if (findTableDamage(copy, uncompress) === undefined) missed.push(at);
    }
    expect(missed).toEqual([]);
  });

  it('should find a table cut short or emptied', () => {
    expect(findTableDamage(table.subarray(0, table.length - 7), uncompress)).toBeDefined();
    expect(findTableDamage(table.subarray(0, 20), uncompress)).toMatch(/shorter than a table footer/);
  });
});
