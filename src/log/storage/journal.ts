import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rm, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '../../protocol/crc32c.ts';
import type { KvOp } from './kv.ts';

/** One journaled write: its sequence number and the store operations it holds. */
export interface JournalFrame {
  seq: number;
  ops: KvOp[];
}

const FRAME_HEADER = 16;
const OP_PUT = 0;
const OP_DEL = 1;
/** A new file is started once the current one passes this size; applied files are deleted. */
const ROTATE_BYTES = 16 * 1024 * 1024;
const TWO_32 = 0x1_0000_0000;

/**
 * The log's journal: small writes reach the operating system here, with one `write(2)` on the
 * calling thread, before LevelDB has them.
 *
 * A LevelDB write goes to a worker thread and comes back through the event loop; most take 40 µs,
 * but a few in a thousand take milliseconds (the worker waits for a core), and every append queued
 * behind one waits too. Kafka's broker appends to its segment file on the request thread and
 * answers at once; the journal does the same: once a write is in the journal it is as durable as a
 * LevelDB write without `sync` (in the kernel, so a `kill -9` loses nothing), and the log can answer
 * the producer and wake the readers while LevelDB catches up in the background.
 *
 * Frames: `[u32 length][u32 crc32c][u64 seq][ops]`, the checksum covering everything after it;
 * each op is `[u8 0 put | 1 del][u32 key length][key]` and, for a put, `[u32 value length][value]`.
 * LevelDB records the last sequence number it applied with each write; on open, the frames after it
 * are applied. Only a torn tail (the last frame, partly written) ends the journal quietly: a bad
 * frame with intact ones after it is damage, and an error unless LevelDB had applied what it held. Files are named by the sequence
 * number of their first frame and deleted once LevelDB has applied all of them.
 */
export class Journal {
  readonly #dir: string;
  #fd: number;
  #size = 0;
  #nextSeq: number;
  /** Files being written or waiting to be applied, oldest first, with the last seq each holds. */
  #files: { name: string; lastSeq: number }[] = [];

  private constructor(dir: string, nextSeq: number) {
    this.#dir = dir;
    this.#nextSeq = nextSeq;
    this.#fd = this.#startFile();
  }

  /** Starts an empty journal in `dir` (whose old files {@link Journal.recover} has dealt with). */
  static create(dir: string, nextSeq: number): Journal {
    mkdirSync(dir, { recursive: true });
    return new Journal(dir, nextSeq);
  }

  /**
   * Reads the frames in `dir` in order. A frame that is torn or damaged is skipped by looking for
   * the next intact frame after it; what lies between is reported in `damage`, unless nothing
   * intact follows anywhere: that is a torn tail (a crash in the middle of a write), which ends the
   * journal quietly. Whether a damaged stretch matters depends on what LevelDB had applied, which
   * the caller knows: see {@link JournalScan.damage}.
   */
  static read(dir: string): JournalScan {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.journal'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { frames: [], damage: [] };
      throw err;
    }
    names.sort();
    const frames: JournalFrame[] = [];
    const damage: JournalDamage[] = [];
    // A stretch that ended a file without an intact frame after it; it is damage only if one follows.
    let open: JournalDamage | undefined;
    for (const name of names) {
      const bytes = readFileSync(join(dir, name));
      const firstSeq = Number.parseInt(name, 10);
      let at = 0;
      while (at < bytes.length) {
        const afterSeq = frames.at(-1)?.seq ?? (Number.isSafeInteger(firstSeq) ? firstSeq - 1 : -1);
        const end = parseFrame(bytes, at, frames);
        if (end > 0) {
          if (open !== undefined) {
            open.beforeSeq = frames.at(-1)!.seq;
            damage.push(open);
            open = undefined;
          }
          at = end;
          continue;
        }
        // Damaged here: look for the next intact frame in this file.
        open ??= { file: name, at, afterSeq, beforeSeq: -1 };
        const next = resync(bytes, at + 1, afterSeq);
        if (next < 0) {
          // A frame that runs past the end of the file is a write cut short: the journal ends
          // there. One that is all there but does not check is damage, even as the last frame.
          open.torn ||= torn(bytes, at);
          break;
        }
        at = next;
      }
    }
    if (open !== undefined && !open.torn) damage.push(open);
    return { frames, damage };
  }

  /** Deletes the journal's files; only once every frame in them is applied. */
  static remove(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }

  /** The bytes a frame of `ops` takes. */
  static frameBytes(ops: readonly KvOp[]): number {
    let size = FRAME_HEADER;
    for (const op of ops) size += 5 + op.key.length + (op.type === 'put' ? 4 + op.value.length : 0);
    return size;
  }

  /**
   * Writes one frame and returns its sequence number. The frame is in the kernel when this
   * returns; it throws (and writes nothing usable) when the file system refuses.
   */
  append(ops: readonly KvOp[], size = Journal.frameBytes(ops)): number {
    const seq = this.#nextSeq++;
    const frame = Buffer.allocUnsafe(size);
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    view.setUint32(0, size - 8);
    view.setUint32(8, Math.floor(seq / TWO_32));
    view.setUint32(12, seq >>> 0);
    let at = FRAME_HEADER;
    for (const op of ops) {
      frame[at] = op.type === 'put' ? OP_PUT : OP_DEL;
      view.setUint32(at + 1, op.key.length);
      frame.set(op.key, at + 5);
      at += 5 + op.key.length;
      if (op.type === 'put') {
        view.setUint32(at, op.value.length);
        frame.set(op.value, at + 4);
        at += 4 + op.value.length;
      }
    }
    view.setUint32(4, crc32c(frame.subarray(8)));
    let written = 0;
    while (written < size) written += writeSync(this.#fd, frame, written, size - written);
    this.#size += size;
    this.#files[this.#files.length - 1]!.lastSeq = seq;
    if (this.#size >= ROTATE_BYTES) {
      closeSync(this.#fd);
      this.#fd = this.#startFile();
    }
    return seq;
  }

  /**
   * LevelDB has applied every frame up to `seq`: files holding only such frames go. They are
   * deleted on a worker thread (unlinking 16 MiB took 3 ms, a stall for every record behind it);
   * one a crash leaves behind holds only frames the next open skips.
   */
  applied(seq: number): void {
    while (this.#files.length > 1 && this.#files[0]!.lastSeq <= seq) {
      rm(join(this.#dir, this.#files.shift()!.name), { force: true }, () => undefined);
    }
  }

  /** Closes the journal and deletes its files; only once every frame in them is applied. */
  close(): void {
    closeSync(this.#fd);
    Journal.remove(this.#dir);
  }

  #startFile(): number {
    const name = `${String(this.#nextSeq).padStart(16, '0')}.journal`;
    const fd = openSync(join(this.#dir, name), 'wx');
    this.#files.push({ name, lastSeq: this.#nextSeq - 1 });
    this.#size = 0;
    return fd;
  }
}

/** What {@link Journal.read} found. */
export interface JournalScan {
  /** Every intact frame, in order. */
  frames: JournalFrame[];
  /**
   * Stretches of unreadable bytes followed by intact frames. The frames numbered after `afterSeq`
   * and before `beforeSeq` are lost from the journal; that loses data only if LevelDB had not
   * applied them.
   */
  damage: JournalDamage[];
}

export interface JournalDamage {
  /** The file and byte offset where the unreadable stretch starts. */
  file: string;
  at: number;
  /** The last intact frame before it (-1 when none). */
  afterSeq: number;
  /** The first intact frame after it; -1 when none follows (a damaged last frame). */
  beforeSeq: number;
  /** Set while scanning: the stretch ends the file as a write cut short would. */
  torn?: boolean;
}

/** Whether the frame at `at` runs past the end of `bytes`: written only in part. */
function torn(bytes: Buffer, at: number): boolean {
  return at + FRAME_HEADER > bytes.length || at + 8 + bytes.readUInt32BE(at) > bytes.length;
}

/** How far past the last intact frame's number the next one is looked for. */
const RESYNC_SEQ_WINDOW = 1 << 20;

/**
 * The offset of the first intact frame at or after `from` whose number follows `afterSeq`, or -1.
 * The header's length and sequence number rule out almost every position before the checksum runs.
 */
function resync(bytes: Buffer, from: number, afterSeq: number): number {
  const probe: JournalFrame[] = [];
  for (let p = from; p + FRAME_HEADER <= bytes.length; p++) {
    const length = bytes.readUInt32BE(p);
    if (length < FRAME_HEADER - 8 || p + 8 + length > bytes.length) continue;
    const seq = bytes.readUInt32BE(p + 8) * TWO_32 + bytes.readUInt32BE(p + 12);
    if (seq <= afterSeq || seq > afterSeq + RESYNC_SEQ_WINDOW) continue;
    if (parseFrame(bytes, p, probe) > 0) return p;
  }
  return -1;
}

/** Parses the frame at `at` into `out` and returns where it ends; 0 when it is torn or damaged. */
function parseFrame(bytes: Buffer, at: number, out: JournalFrame[]): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (at + FRAME_HEADER > bytes.length) return 0;
  const length = view.getUint32(at);
  const end = at + 8 + length;
  if (length < FRAME_HEADER - 8 || end > bytes.length) return 0;
  if (crc32c(bytes.subarray(at + 8, end)) !== view.getUint32(at + 4)) return 0;
  const seq = view.getUint32(at + 8) * TWO_32 + view.getUint32(at + 12);
  const ops: KvOp[] = [];
  let p = at + FRAME_HEADER;
  while (p < end) {
    const type = bytes[p];
    if (p + 5 > end || (type !== OP_PUT && type !== OP_DEL)) return 0;
    const keyLength = view.getUint32(p + 1);
    if (p + 5 + keyLength > end) return 0;
    const key = bytes.subarray(p + 5, p + 5 + keyLength);
    p += 5 + keyLength;
    if (type === OP_DEL) {
      ops.push({ type: 'del', key });
      continue;
    }
    if (p + 4 > end) return 0;
    const valueLength = view.getUint32(p);
    if (p + 4 + valueLength > end) return 0;
    ops.push({ type: 'put', key, value: bytes.subarray(p + 4, p + 4 + valueLength) });
    p += 4 + valueLength;
  }
  out.push({ seq, ops });
  return end;
}
