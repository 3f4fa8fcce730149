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
 * are applied, and a torn or damaged frame ends the journal there. Files are named by the sequence
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
   * Reads the frames in `dir` in order, up to the first one that is torn or damaged (a crash in
   * the middle of a write): everything after it is ignored, since frames only count as a prefix.
   */
  static read(dir: string): JournalFrame[] {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.journal'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    names.sort();
    const frames: JournalFrame[] = [];
    for (const name of names) {
      const bytes = readFileSync(join(dir, name));
      const whole = parseFrames(bytes, frames);
      if (!whole) break;
    }
    return frames;
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

/** Appends the whole frames in `bytes` to `out`; false when a torn or damaged frame ends them. */
function parseFrames(bytes: Buffer, out: JournalFrame[]): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    if (at + FRAME_HEADER > bytes.length) return false;
    const length = view.getUint32(at);
    const end = at + 8 + length;
    if (length < FRAME_HEADER - 8 || end > bytes.length) return false;
    if (crc32c(bytes.subarray(at + 8, end)) !== view.getUint32(at + 4)) return false;
    const seq = view.getUint32(at + 8) * TWO_32 + view.getUint32(at + 12);
    const ops: KvOp[] = [];
    let p = at + FRAME_HEADER;
    while (p < end) {
      const type = bytes[p];
      if (p + 5 > end || (type !== OP_PUT && type !== OP_DEL)) return false;
      const keyLength = view.getUint32(p + 1);
      if (p + 5 + keyLength > end) return false;
      const key = bytes.subarray(p + 5, p + 5 + keyLength);
      p += 5 + keyLength;
      if (type === OP_DEL) {
        ops.push({ type: 'del', key });
        continue;
      }
      if (p + 4 > end) return false;
      const valueLength = view.getUint32(p);
      if (p + 4 + valueLength > end) return false;
      ops.push({ type: 'put', key, value: bytes.subarray(p + 4, p + 4 + valueLength) });
      p += 4 + valueLength;
    }
    out.push({ seq, ops });
    at = end;
  }
  return true;
}
