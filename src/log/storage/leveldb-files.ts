import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { TributaryError } from '../../errors.ts';
import { crc32c } from '../../protocol/crc32c.ts';

/**
 * LevelDB's write-ahead log format, checked before LevelDB opens it. Why: classic-level does not
 * expose LevelDB's `paranoid_checks`, and without them LevelDB skips a damaged log record (and the
 * rest of its 32 KiB block) and opens as if it had never been written: one flipped bit silently
 * removed 20–100 records. This check fails the open instead, as paranoid checks would.
 *
 * The format (leveldb/doc/log_format.md): 32 KiB blocks of records, each
 * `[u32 masked crc32c LE][u16 length LE][u8 type][payload]`, the checksum over the type byte and
 * the payload; fewer than 7 bytes left in a block are zero padding. A record that runs past the
 * end of the file is a torn write at a crash, which LevelDB drops, and so does this.
 */
const BLOCK = 32 * 1024;
const HEADER = 7;
const MASK_DELTA = 0xa282ead8;
const LOG_FILE = /^\d{6,}\.log$/;

/** Where a LevelDB log is damaged, or undefined when every record checks. */
export function findLogDamage(bytes: Uint8Array): number | undefined {
  return walkLog(bytes, () => undefined);
}

/**
 * Walks a log-format file's records (their type and payload) in order; returns where the first
 * damaged one starts, or undefined when every record checks (a torn tail ends the walk quietly).
 */
function walkLog(bytes: Uint8Array, onRecord: (type: number, payload: Uint8Array) => void): number | undefined {
  const typeByte = new Uint8Array(1);
  let at = 0;
  while (at < bytes.length) {
    const blockLeft = BLOCK - (at % BLOCK);
    if (blockLeft < HEADER) {
      at += blockLeft;
      continue;
    }
    if (at + HEADER > bytes.length) return undefined; // torn header at the end
    const stored = u32le(bytes, at);
    const length = bytes[at + 4]! | (bytes[at + 5]! << 8);
    const type = bytes[at + 6]!;
    if (type === 0 && length === 0 && stored === 0) {
      // Preallocated zeros: the rest of the block is unused.
      at += blockLeft;
      continue;
    }
    if (HEADER + length > blockLeft) return at;
    if (at + HEADER + length > bytes.length) return undefined; // torn record at the end
    if (type < 1 || type > 4) return at;
    typeByte[0] = type;
    const payload = bytes.subarray(at + HEADER, at + HEADER + length);
    if (masked(crc32c(payload, crc32c(typeByte))) !== stored) return at;
    onRecord(type, payload);
    at += HEADER + length;
  }
  return undefined;
}

/** LevelDB's masked form of a CRC32C, as its log records and table blocks store it. */
function masked(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/**
 * Checks every LevelDB write-ahead log in `dir`; throws `CORRUPT_MESSAGE` naming the file and byte
 * of the first damaged record. `trib doctor --repair` runs LevelDB's repair, which keeps what is
 * intact.
 */
export function checkLevelDbLogs(dir: string): void {
  for (const name of readdirSync(dir)
    .filter((n) => LOG_FILE.test(n))
    .sort()) {
    const at = findLogDamage(readFileSync(join(dir, name)));
    if (at !== undefined) {
      throw new TributaryError(
        'CORRUPT_MESSAGE',
        `LevelDB's write-ahead log ${join(dir, name)} is damaged at byte ${at}: opening would silently drop the writes it holds. ` +
          'Run "trib doctor --repair" to keep what is intact (see docs/log.md)',
        { dataDir: dir, file: name, at },
      );
    }
  }
}

/**
 * LevelDB's table files (`.ldb`, leveldb/doc/table_format.md), checked before LevelDB's repair
 * reads them. Why: RepairDB scans tables without verifying block checksums, and a table with one
 * flipped bit in a key aborts the whole process on one of LevelDB's assertions (keys out of order,
 * an internal key shorter than 8 bytes). A table that fails this check is set aside, as RepairDB
 * sets aside files it cannot read, and its records count as lost.
 *
 * The format: blocks, each followed by a 5-byte trailer `[u8 type][u32 masked crc32c LE]` (the
 * checksum over the block's bytes and the type; type 0 plain, 1 Snappy), then a 48-byte footer:
 * the metaindex and index blocks' handles (varint64 offset and size each), zero padding, and an
 * 8-byte magic number. Each index entry's value is the handle of one data block.
 */
const TABLE_FILE = /^\d{6,}\.(ldb|sst)$/;
const FOOTER = 48;
const TRAILER = 5;
const TABLE_MAGIC_LO = 0x8b80fb57;
const TABLE_MAGIC_HI = 0xdb477524;

interface Handle {
  offset: number;
  size: number;
}

/** Reads a varint64 (small enough for a file offset) at `at`; undefined past `end` or when too long. */
function varint(bytes: Uint8Array, at: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < end && i < at + 10; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return Number.isSafeInteger(value) ? { value, next: i + 1 } : undefined;
    scale *= 128;
  }
  return undefined;
}

function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/**
 * A block's contents, uncompressed, when its checksum holds; a sentence saying what is wrong if not.
 * Without `uncompress` only the checksum and the compression type are checked.
 */
function readBlock(
  bytes: Uint8Array,
  kind: string,
  handle: Handle,
  uncompress: ((b: Uint8Array) => Uint8Array) | undefined,
): Uint8Array | string {
  const { offset, size } = handle;
  if (offset + size + TRAILER > bytes.length - FOOTER)
    return `the ${kind} handle (${offset}+${size}) points past the data`;
  const contents = bytes.subarray(offset, offset + size);
  const type = bytes[offset + size]!;
  // The checksum covers the contents and the type byte after them: one pass over both.
  const crc = crc32c(bytes.subarray(offset, offset + size + 1));
  if (masked(crc) !== u32le(bytes, offset + size + 1)) return `the ${kind} at byte ${offset} fails its checksum`;
  if (type === 0) return contents;
  if (type !== 1) return `the ${kind} at byte ${offset} has an unknown compression type ${type}`;
  if (uncompress === undefined) return contents;
  try {
    return uncompress(contents);
  } catch {
    return `the ${kind} at byte ${offset} does not uncompress`;
  }
}

/** The values of a block's entries (an index block's are data block handles); a sentence when malformed. */
function blockValues(block: Uint8Array): Uint8Array[] | string {
  if (block.length < 4) return 'it is too short';
  const restarts = u32le(block, block.length - 4);
  const limit = block.length - 4 - restarts * 4;
  if (restarts < 1 || limit < 0) return 'its restart count is wrong';
  const values: Uint8Array[] = [];
  for (let at = 0; at < limit; ) {
    const shared = varint(block, at, limit);
    const unshared = shared && varint(block, shared.next, limit);
    const length = unshared && varint(block, unshared.next, limit);
    if (length === undefined) return 'an entry is malformed';
    const start = length.next + unshared!.value;
    if (start + length.value > limit) return 'an entry runs past the block';
    values.push(block.subarray(start, start + length.value));
    at = start + length.value;
  }
  return values;
}

function handleOf(bytes: Uint8Array, at: number, end: number): (Handle & { next: number }) | undefined {
  const offset = varint(bytes, at, end);
  const size = offset && varint(bytes, offset.next, end);
  return size === undefined ? undefined : { offset: offset!.value, size: size.value, next: size.next };
}

/**
 * What is wrong with a LevelDB table, or undefined when its footer, index and every block check.
 * `uncompress` is Snappy's (the caller's, so that this file loads no addon). With `entries: false`
 * data and meta blocks are checked by checksum only, not uncompressed and parsed: every flipped bit
 * is found all the same (a CRC32C misses no single-bit error), at the cost of one CRC pass over the
 * file, which is what the log's open can afford; `trib doctor` parses every entry too.
 */
export function findTableDamage(
  bytes: Uint8Array,
  uncompress: (b: Uint8Array) => Uint8Array,
  options: { entries?: boolean } = {},
): string | undefined {
  const entries = options.entries !== false;
  if (bytes.length < FOOTER) return 'the file is shorter than a table footer';
  const footer = bytes.length - FOOTER;
  if (u32le(bytes, bytes.length - 8) !== TABLE_MAGIC_LO || u32le(bytes, bytes.length - 4) !== TABLE_MAGIC_HI)
    return 'the footer has no table magic number';
  const metaindex = handleOf(bytes, footer, bytes.length - 8);
  const index = metaindex && handleOf(bytes, metaindex.next, bytes.length - 8);
  if (index === undefined) return 'the footer is malformed';
  // The metaindex block's entries point at meta blocks (a filter), the index block's at data blocks.
  for (const handle of [metaindex!, index]) {
    const kinds = handle === index ? ['index block', 'data block'] : ['metaindex block', 'meta block'];
    const block = readBlock(bytes, kinds[0]!, handle, uncompress);
    if (typeof block === 'string') return block;
    const values = blockValues(block);
    if (typeof values === 'string') return `the ${kinds[0]}: ${values}`;
    for (const value of values) {
      const data = handleOf(value, 0, value.length);
      if (data === undefined) return `an entry of the ${kinds[0]} is malformed`;
      const checked = readBlock(bytes, kinds[1]!, data, entries ? uncompress : undefined);
      if (typeof checked === 'string') return checked;
      if (handle !== index || !entries) continue;
      const parsed = blockValues(checked);
      if (typeof parsed === 'string') return `the data block at byte ${data.offset}: ${parsed}`;
    }
  }
  return undefined;
}

/** Reads up to `size` bytes of a file into `buffer`; returns how many it holds. */
function readTable(path: string, buffer: Buffer, size: number): number {
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    const total = Math.min(size, fstatSync(fd).size);
    while (length < total) {
      const read = readSync(fd, buffer, length, total - length, length);
      if (read === 0) break;
      length += read;
    }
    return length;
  } finally {
    closeSync(fd);
  }
}

/** The tables of `dir` that fail {@link findTableDamage}, each with what is wrong. */
export function damagedLevelDbTables(
  dir: string,
  uncompress: (b: Uint8Array) => Uint8Array,
): { file: string; problem: string }[] {
  const out: { file: string; problem: string }[] = [];
  for (const file of readdirSync(dir)
    .filter((n) => TABLE_FILE.test(n))
    .sort()) {
    const problem = findTableDamage(readFileSync(join(dir, file)), uncompress);
    if (problem !== undefined) out.push({ file, problem });
  }
  return out;
}

/**
 * The table files LevelDB uses, by file number, with the size its MANIFEST records for each (the
 * file named by `CURRENT`, in the write-ahead log's format, one VersionEdit per record:
 * leveldb/db/version_edit.cc). Undefined when `CURRENT` or the MANIFEST cannot be read or parsed:
 * LevelDB then refuses to open by itself. Tables not listed are leftovers LevelDB deletes at open
 * (a compaction's output cut short by a crash), not damage.
 */
export function liveLevelDbTables(dir: string): Map<number, number> | undefined {
  let bytes: Uint8Array;
  try {
    const name = readFileSync(join(dir, 'CURRENT'), 'latin1');
    if (!/^MANIFEST-\d+\n$/.test(name)) return undefined;
    bytes = readFileSync(join(dir, name.trim()));
  } catch {
    return undefined;
  }
  const live = new Map<number, number>();
  let pending: Uint8Array[] = [];
  let parsed = true;
  const damage = walkLog(bytes, (type, payload) => {
    // Records are FULL (1), or FIRST (2), MIDDLE (3) and LAST (4) fragments of one.
    if (type === 1 || type === 2) pending = [];
    pending.push(payload);
    if (type === 1 || type === 4) parsed &&= applyVersionEdit(Buffer.concat(pending), live);
  });
  return damage === undefined && parsed ? live : undefined;
}

/** Applies one VersionEdit's deleted and new files to `live`; false when the edit does not parse. */
function applyVersionEdit(edit: Uint8Array, live: Map<number, number>): boolean {
  const deleted: number[] = [];
  const added: [number, number][] = [];
  const skipSlice = (at: number) => {
    const length = varint(edit, at, edit.length);
    return length === undefined || length.next + length.value > edit.length ? undefined : length.next + length.value;
  };
  for (let at = 0; at < edit.length; ) {
    const tag = varint(edit, at, edit.length);
    if (tag === undefined) return false;
    at = tag.next;
    let next: number | undefined;
    switch (tag.value) {
      case 1: // comparator name
        next = skipSlice(at);
        break;
      case 2: // log number
      case 3: // next file number
      case 4: // last sequence
      case 9: // previous log number
        next = varint(edit, at, edit.length)?.next;
        break;
      case 5: {
        // compact pointer: level, internal key
        const level = varint(edit, at, edit.length);
        next = level && skipSlice(level.next);
        break;
      }
      case 6: {
        // deleted file: level, number
        const level = varint(edit, at, edit.length);
        const number = level && varint(edit, level.next, edit.length);
        if (number !== undefined) deleted.push(number.value);
        next = number?.next;
        break;
      }
      case 7: {
        // new file: level, number, size, smallest and largest internal keys
        const level = varint(edit, at, edit.length);
        const number = level && varint(edit, level.next, edit.length);
        const size = number && varint(edit, number.next, edit.length);
        const smallest = size && skipSlice(size.next);
        next = smallest === undefined ? undefined : skipSlice(smallest);
        if (next !== undefined) added.push([number!.value, size!.value]);
        break;
      }
      default:
        return false;
    }
    if (next === undefined) return false;
    at = next;
  }
  // As LevelDB applies an edit: its deletions first, then its files (a file moved down a level is both).
  for (const number of deleted) live.delete(number);
  for (const [number, size] of added) live.set(number, size);
  return true;
}

/**
 * Checks the block checksums of every table LevelDB uses in `dir` before LevelDB opens it; throws
 * `CORRUPT_MESSAGE` naming the first damaged table. Why: classic-level does not expose LevelDB's
 * `paranoid_checks` or `ReadOptions::verify_checksums`, and LevelDB reads tables (their index,
 * filter and data blocks) without checking checksums. A flipped bit in a table then returned
 * different data (a record's timestamp, a topic's metadata), hid records or whole topics, threw
 * untyped errors, or aborted the process on one of LevelDB's assertions (an internal key shorter
 * than 8 bytes); measured on every bit position of a 17 KB table. Checked here, every block
 * LevelDB can read has passed its checksum; only the footer's zero padding, which LevelDB never
 * reads, is not covered.
 *
 * It costs one read and CRC32C pass over the live tables at each open (see docs/log.md).
 */
export function checkLevelDbTables(dir: string, uncompress: (b: Uint8Array) => Uint8Array): void {
  const live = liveLevelDbTables(dir);
  if (live === undefined) return;
  const names = new Map<number, string>();
  for (const name of readdirSync(dir)) if (TABLE_FILE.test(name)) names.set(Number.parseInt(name, 10), name);
  // One buffer for every table (most are 2 MiB): fresh ones cost more in page faults than the CRC.
  let buffer = Buffer.allocUnsafe(0);
  for (const [number, size] of [...live].sort(([a], [b]) => a - b)) {
    const name = names.get(number);
    // LevelDB itself refuses a missing table at open.
    if (name === undefined) continue;
    if (buffer.length < size) buffer = Buffer.allocUnsafe(Math.max(size, buffer.length * 2));
    const length = readTable(join(dir, name), buffer, size);
    const problem =
      length < size
        ? `it is ${length} bytes, its MANIFEST says ${size}`
        : findTableDamage(buffer.subarray(0, size), uncompress, { entries: false });
    if (problem !== undefined) {
      throw new TributaryError(
        'CORRUPT_MESSAGE',
        `LevelDB's table ${join(dir, name)} is damaged: ${problem}. ` +
          'Run "trib doctor --repair" to set it aside and keep what is intact (see docs/log.md)',
        { dataDir: dir, file: name },
      );
    }
  }
}
