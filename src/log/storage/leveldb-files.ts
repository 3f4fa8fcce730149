import { readdirSync, readFileSync } from 'node:fs';
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
  const typeByte = new Uint8Array(1);
  let at = 0;
  while (at < bytes.length) {
    const blockLeft = BLOCK - (at % BLOCK);
    if (blockLeft < HEADER) {
      at += blockLeft;
      continue;
    }
    if (at + HEADER > bytes.length) return undefined; // torn header at the end
    const stored = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
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
    const crc = crc32c(bytes.subarray(at + HEADER, at + HEADER + length), crc32c(typeByte));
    const masked = (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
    if (masked !== stored) return at;
    at += HEADER + length;
  }
  return undefined;
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
