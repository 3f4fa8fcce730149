import { TributaryError } from '../errors.ts';
import { readBatchHeader } from '../protocol/index.ts';
import { encodeU64, JOURNAL_APPLIED_KEY, KIND_BATCH, parsePartitionKey, readU64 } from './keys.ts';
import { type JournalFrame, Journal } from './storage/journal.ts';
import type { KvOp, KvStore } from './storage/kv.ts';

/**
 * Bytes of journal frames per store write during recovery. Why chunks: the journal can hold many
 * MiB that LevelDB lagged behind on; one write of all of it needs that much again in memory and on
 * a nearly full disk, and failed there. Each chunk records the last frame it applied, so a
 * recovery cut short (a full disk, a kill) goes on from there next time.
 */
export const RECOVERY_CHUNK_BYTES = 4 * 1024 * 1024;

/** What a salvaging recovery left out: see {@link recoverJournal}. */
export interface JournalSalvage {
  /** Frames lost to damage: `[first, last]` sequence numbers that could not be read. */
  unreadable: [number, number][];
  /** Intact frames after the damage that were not applied, so that offsets stay contiguous. */
  dropped: number;
  /** Per topic id and partition, the offsets of the batches the dropped frames held. */
  droppedOffsets: Map<string, { topicId: number; partition: number; from: number; to: number }>;
}

/**
 * Applies the journal frames the store has not applied (a crash came between the two writes), in
 * chunks, then deletes the journal; returns the sequence number to go on from.
 *
 * A frame it needs that is unreadable (damage with intact frames after it, or a missing file) is
 * `CORRUPT_MESSAGE` naming the file and frames, and nothing is changed, unless `salvage` is given:
 * then the frames before the damage are applied, the rest dropped, and `salvage` says what was lost
 * (this is `trib doctor --repair`). A torn last frame is a crash in the middle of a write and ends
 * the journal quietly.
 */
export async function recoverJournal(store: KvStore, dir: string, salvage?: JournalSalvage): Promise<number> {
  const appliedBytes = await store.get(JOURNAL_APPLIED_KEY);
  const applied = appliedBytes === undefined ? -1 : readU64(appliedBytes, 0);
  const { frames: all, damage } = Journal.read(dir);
  const frames = all.filter((frame) => frame.seq > applied);
  // A damaged last frame: unreadable, so whether LevelDB had it is known only from its number.
  const damagedLast = damage.find((d) => d.beforeSeq < 0 && d.afterSeq + 1 > applied);
  if (damagedLast !== undefined && salvage === undefined) {
    throw new TributaryError(
      'CORRUPT_MESSAGE',
      `The journal in ${dir} is damaged (${damagedLast.file}, byte ${damagedLast.at}): frame ${damagedLast.afterSeq + 1}, which LevelDB had not applied, is all there but does not check. ` +
        'Run "trib doctor --repair" to keep what is intact (see docs/log.md)',
      {
        journalDir: dir,
        file: damagedLast.file,
        at: damagedLast.at,
        frames: [damagedLast.afterSeq + 1, damagedLast.afterSeq + 1],
      },
    );
  }
  if (damagedLast !== undefined) salvage?.unreadable.push([damagedLast.afterSeq + 1, damagedLast.afterSeq + 1]);
  // The frames that count must run on from `applied` without a hole.
  let usable = frames.length;
  let expected = applied + 1;
  for (let i = 0; i < frames.length; i++) {
    if (frames[i]!.seq !== expected) {
      usable = i;
      break;
    }
    expected++;
  }
  if (usable < frames.length) {
    const missing: [number, number] = [expected, frames[usable]!.seq - 1];
    const where = damage.find((d) => d.beforeSeq === frames[usable]!.seq);
    if (salvage === undefined) {
      throw new TributaryError(
        'CORRUPT_MESSAGE',
        `The journal in ${dir} is damaged${where === undefined ? '' : ` (${where.file}, byte ${where.at})`}: frames ${missing[0]} to ${missing[1]}, ` +
          `which LevelDB had not applied, cannot be read, and ${frames.length - usable} intact frame(s) follow them. ` +
          'Run "trib doctor --repair" to keep what is intact (see docs/log.md)',
        { journalDir: dir, file: where?.file, at: where?.at, frames: missing },
      );
    }
    salvage.unreadable.push(missing);
    for (const frame of frames.slice(usable)) noteDropped(frame, salvage);
  }
  let last = applied;
  let ops: KvOp[] = [];
  let bytes = 0;
  const write = async () => {
    ops.push({ type: 'put', key: JOURNAL_APPLIED_KEY, value: encodeU64(last) });
    await store.write(ops, true);
    ops = [];
    bytes = 0;
  };
  for (const frame of frames.slice(0, usable)) {
    for (const op of frame.ops) {
      ops.push(op);
      bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
    }
    last = frame.seq;
    if (bytes >= RECOVERY_CHUNK_BYTES) await write();
  }
  if (ops.length > 0) await write();
  Journal.remove(dir);
  return last + 1;
}

function noteDropped(frame: JournalFrame, salvage: JournalSalvage): void {
  salvage.dropped++;
  for (const op of frame.ops) {
    if (op.type !== 'put' || op.key[0] !== KIND_BATCH || op.key.length !== 17) continue;
    const { topicId, partition, value: baseOffset } = parsePartitionKey(op.key);
    let lastOffset = baseOffset;
    try {
      lastOffset = readBatchHeader(op.value, {}).lastOffset;
    } catch {}
    const id = `${topicId}:${partition}`;
    const seen = salvage.droppedOffsets.get(id);
    if (seen === undefined)
      salvage.droppedOffsets.set(id, { topicId, partition, from: baseOffset, to: lastOffset + 1 });
    else {
      seen.from = Math.min(seen.from, baseOffset);
      seen.to = Math.max(seen.to, lastOffset + 1);
    }
  }
}
