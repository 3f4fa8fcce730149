/**
 * One flipped bit anywhere in a LevelDB table (`.ldb`): the log refuses to open with
 * `CORRUPT_MESSAGE` naming the table, or reads exactly what was written; `trib doctor` names the
 * table. Every byte of a small table gets one flipped bit (bit `byte % 8`), for a table written
 * with fixed timestamps and values (the same bytes every run but for the 24 random characters of
 * the close mark, see storage/level.ts) and for tables written on a clock whose timestamps differ
 * per seed, as real ones do.
 *
 * Why: LevelDB reads tables without checking their block checksums (classic-level does not expose
 * `verify_checksums` or `paranoid_checks`). Before the log checked them at open, a flipped bit in a
 * 17 KB table's data, filter, metaindex or index block returned different data, hid records or
 * topics, threw untyped errors, or aborted the process on a LevelDB assertion.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.ts';
import { TributaryError } from '../../../src/errors.ts';
import { checkDataDir } from '../../../src/log/doctor.ts';
import { openLog } from '../../../src/log/index.ts';
import {
  checkLevelDbTables,
  damagedLevelDbTables,
  findTableDamage,
  liveLevelDbTables,
} from '../../../src/log/storage/leveldb-files.ts';
import { snappyDecompress } from '../../../src/protocol/compression/snappy.ts';
import { digest } from '../fixtures/dump.ts';

const root = join(tmpdir(), `tributary-tables-${process.pid}`);
mkdirSync(root, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));
const uncompress = (block: Uint8Array) => snappyDecompress(block, 1 << 30);
const enc = new TextEncoder();

interface Written {
  dir: string;
  name: string;
  table: Buffer;
  expected: string;
}

/**
 * A data directory whose records sit in one table: written, closed and opened again (LevelDB
 * flushes its log into a table on the reopen). `seed` undefined: fixed timestamps and values;
 * otherwise records are stamped by a clock that starts and ticks by seeded amounts, and values
 * carry seeded numbers.
 */
async function writeTable(label: string, seed: number | undefined, batches: number): Promise<Written> {
  const dir = join(root, label);
  let state = (seed ?? 1) * 2654435761;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state;
  };
  const clock = new ManualClock(1_764_000_000_000 + (seed === undefined ? 0 : random()));
  let log = await openLog({ dataDir: dir, maintenanceIntervalMs: 0, clock });
  await log.createTopic({ topic: 'orders', numPartitions: 2 });
  for (let b = 0; b < batches; b++) {
    for (let p = 0; p < 2; p++) {
      clock.advance(seed === undefined ? 1 : random() % 5000);
      await log.append(
        'orders',
        p,
        Array.from({ length: 3 }, (_, i) => ({
          key: enc.encode(`k${i}`),
          value: enc.encode(`v${b}-${seed === undefined ? b * 7 + i : random().toString(36)}${'x'.repeat(24 + b)}`),
        })),
      );
    }
  }
  await log.close();
  log = await openLog({ dataDir: dir, maintenanceIntervalMs: 0, clock });
  const expected = (await digest(log)).digest;
  await log.close();
  const [name, ...others] = readdirSync(dir).filter((n) => n.endsWith('.ldb'));
  expect(others).toEqual([]);
  return { dir, name: name!, table: readFileSync(join(dir, name!)), expected };
}

/**
 * Whether flipping bit `at % 8` of byte `at` leaves what LevelDB reads unchanged: the footer's zero
 * padding (between its two block handles and its magic number), and the continuation bit of the
 * handles' last byte (the varint then takes one zero byte of padding more: the same number).
 */
function unread(table: Buffer, at: number): boolean {
  let end = table.length - 48;
  for (let varints = 0; varints < 4; end++) if (table[end]! < 0x80) varints++;
  return (at >= end && at < table.length - 8) || (at === end - 1 && at % 8 === 7);
}

/** What opening and reading all of `dir` gives: the digest, or the error's code (untyped errors as such). */
async function openAndRead(dir: string): Promise<{ digest?: string; code?: string; message?: string }> {
  try {
    const log = await openLog({ dataDir: dir, maintenanceIntervalMs: 0 });
    try {
      return { digest: (await digest(log)).digest };
    } finally {
      await log.close();
    }
  } catch (err) {
    return {
      code: err instanceof TributaryError ? err.code : `untyped ${(err as Error).name}`,
      message: (err as Error).message,
    };
  }
}

/**
 * Flips bit `byte % 8` of every `stride`-th byte of the table in a copy of the directory, opens it
 * and reads everything. Returns the flips whose outcome was neither a refusal naming the table nor
 * the exact data, and the kinds of damage the refusals named.
 */
async function flipEveryByte(written: Written, stride = 1): Promise<{ bad: string[]; kinds: Set<string> }> {
  const { dir, name, table, expected } = written;
  const work = `${dir}-flipped`;
  const bad: string[] = [];
  const kinds = new Set<string>();
  let fresh = false;
  for (let at = 0; at < table.length; at += stride) {
    // A refused open touches no file, so the same copy serves until an open succeeds.
    if (!fresh) {
      rmSync(work, { recursive: true, force: true });
      cpSync(dir, work, { recursive: true });
      fresh = true;
    }
    const copy = Buffer.from(table);
    copy[at]! ^= 1 << (at % 8);
    writeFileSync(join(work, name), copy);
    const outcome = await openAndRead(work);
    if (outcome.digest !== undefined) {
      fresh = false;
      if (outcome.digest !== expected) bad.push(`byte ${at}: different data`);
      else if (!unread(table, at)) bad.push(`byte ${at}: not found, in a part LevelDB reads`);
    } else if (outcome.code !== 'CORRUPT_MESSAGE' || !outcome.message!.includes(name)) {
      bad.push(`byte ${at}: ${outcome.code} ${outcome.message}`);
    } else {
      kinds.add(/the (\w+ block|footer)/.exec(outcome.message!)?.[1] ?? outcome.message!);
    }
  }
  rmSync(work, { recursive: true, force: true });
  return { bad, kinds };
}

describe('a flipped bit in a LevelDB table', () => {
  let fixed: Written;

  it('should be refused at open naming the table, or read exactly, at every byte of a table', async () => {
    fixed = await writeTable('fixed', undefined, 6);
    expect(fixed.table.length).toBeGreaterThan(1200);
    expect(findTableDamage(fixed.table, uncompress)).toBeUndefined();
    const { bad, kinds } = await flipEveryByte(fixed);
    expect(bad).toEqual([]);
    // Every part of the table was hit: blocks of each kind (filter blocks are meta blocks) and the footer.
    expect([...kinds].sort()).toEqual(['data block', 'footer', 'index block', 'meta block', 'metaindex block']);
  }, 40_000);

  it('should be found by the doctor check at every byte LevelDB reads', () => {
    const missed: number[] = [];
    for (let at = 0; at < fixed.table.length; at++) {
      if (unread(fixed.table, at)) continue;
      const copy = Buffer.from(fixed.table);
      copy[at]! ^= 1 << (at % 8);
      if (findTableDamage(copy, uncompress) === undefined) missed.push(at);
    }
    expect(missed).toEqual([]);
  });

  it.each([11, 12, 13])(
    'should be refused or read exactly in a table written on a clock (seed %i)',
    async (seed) => {
      const written = await writeTable(`clock-${seed}`, seed, 8);
      expect(written.table.equals(fixed.table)).toBe(false);
      const { bad } = await flipEveryByte(written, 5);
      expect(bad).toEqual([]);
    },
    20_000,
  );

  it('should have trib doctor name the damaged table and its block', async () => {
    const work = join(root, 'doctor');
    for (const at of [5, Math.floor(fixed.table.length / 2), fixed.table.length - 60]) {
      rmSync(work, { recursive: true, force: true });
      cpSync(fixed.dir, work, { recursive: true });
      const copy = Buffer.from(fixed.table);
      copy[at]! ^= 1 << (at % 8);
      writeFileSync(join(work, fixed.name), copy);
      expect(damagedLevelDbTables(work, uncompress)).toEqual([{ file: fixed.name, problem: expect.any(String) }]);
      const report = await checkDataDir(work);
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toMatchObject({ where: 'LevelDB', message: expect.stringContaining(fixed.name) });
    }
  });
});

describe('LevelDB files', () => {
  it('should list the tables the MANIFEST holds, with their sizes', async () => {
    const written = await writeTable('manifest', undefined, 4);
    const number = Number.parseInt(written.name, 10);
    expect(liveLevelDbTables(written.dir)).toEqual(new Map([[number, written.table.length]]));
    expect(() => checkLevelDbTables(written.dir, uncompress)).not.toThrow();
  });

  it('should leave a table the MANIFEST does not hold to LevelDB (a compaction cut short by a crash)', async () => {
    const written = await writeTable('orphan', undefined, 4);
    // A table file LevelDB had not yet recorded: cut short, as a crash leaves one.
    writeFileSync(join(written.dir, '000099.ldb'), written.table.subarray(0, 100));
    expect(() => checkLevelDbTables(written.dir, uncompress)).not.toThrow();
    expect((await openAndRead(written.dir)).digest).toBe(written.expected);
  });

  it('should refuse a table shorter than its MANIFEST says', async () => {
    const written = await writeTable('short', undefined, 4);
    writeFileSync(join(written.dir, written.name), written.table.subarray(0, written.table.length - 7));
    expect(() => checkLevelDbTables(written.dir, uncompress)).toThrow(/is damaged: it is \d+ bytes, its MANIFEST says/);
    expect(findTableDamage(written.table.subarray(0, 20), uncompress)).toMatch(/shorter than a table footer/);
  });
});
