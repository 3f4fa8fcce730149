/**
 * Committed offsets, kept in the compacted `__consumer_offsets` topic (one partition, created on
 * first use) and cached in memory. The layout is Kafka's:
 *
 * ```
 * key   (OffsetCommitKey v1):   version int16 = 1, group string, topic string, partition int32
 * value (OffsetCommitValue v3): version int16 = 3, offset int64, leaderEpoch int32 = -1,
 *                               metadata string, commitTimestamp int64
 * string = int16 length + UTF-8 bytes. A null value (tombstone) deletes the commit.
 * ```
 *
 * Commits are written without fsync: like any acknowledged write they survive a crash of the
 * process; a power cut may lose the newest ones, which at-least-once consumers then re-read.
 */
import type { LogBackend, PartitionAppend, ProducerStamp } from '../log/index.ts';
import { decodeControlRecord, decodeRecordBatch } from '../protocol/index.ts';
import { hasCode } from '../client/errors.ts';
import { TimeSlice } from '../time-slice.ts';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
  commitTimestamp: number;
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string | null;
}

function encodeString(parts: Buffer[], s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeInt16BE(bytes.length);
  parts.push(len, bytes);
}

export function encodeOffsetKey(group: string, topic: string, partition: number): Uint8Array {
  const parts: Buffer[] = [Buffer.from([0, 1])];
  encodeString(parts, group);
  encodeString(parts, topic);
  const p = Buffer.alloc(4);
  p.writeInt32BE(partition);
  parts.push(p);
  return Buffer.concat(parts);
}

export function encodeOffsetValue(offset: number, metadata: string | null, commitTimestamp: number): Uint8Array {
  const head = Buffer.alloc(14);
  head.writeInt16BE(3, 0);
  head.writeBigInt64BE(BigInt(offset), 2);
  head.writeInt32BE(-1, 10);
  const parts: Buffer[] = [head];
  encodeString(parts, metadata ?? '');
  const ts = Buffer.alloc(8);
  ts.writeBigInt64BE(BigInt(commitTimestamp));
  parts.push(ts);
  return Buffer.concat(parts);
}

type OffsetKey = { group: string; topic: string; partition: number };

export function decodeOffsetKey(bytes: Uint8Array): OffsetKey | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 2 || b.readInt16BE(0) > 1) return undefined; // Group metadata records (version 2) are not ours.
  let at = 2;
  const read = () => {
    const len = b.readInt16BE(at);
    const s = b.toString('utf8', at + 2, at + 2 + len);
    at += 2 + len;
    return s;
  };
  const group = read();
  const topic = read();
  return { group, topic, partition: b.readInt32BE(at) };
}

export function decodeOffsetValue(bytes: Uint8Array): CommittedOffset {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offset = Number(b.readBigInt64BE(2));
  const len = b.readInt16BE(14);
  const metadata = len <= 0 ? null : b.toString('utf8', 16, 16 + len);
  const commitTimestamp = Number(b.readBigInt64BE(16 + len));
  return { offset, metadata, commitTimestamp };
}

/** Records per batch of a large commit. */
const COMMIT_CHUNK = 500;

/** Committed offsets of every group, persisted in `__consumer_offsets`. */
export class OffsetStore {
  readonly #log: LogBackend;
  /** group → "topic\0partition" → committed offset. */
  readonly #cache = new Map<string, Map<string, CommittedOffset>>();
  #ready: Promise<void> | undefined;

  constructor(log: LogBackend) {
    this.#log = log;
  }

  /** Creates the topic if needed and replays it into the cache; once. */
  ready(): Promise<void> {
    this.#ready ??= this.#load();
    return this.#ready;
  }

  async #load(): Promise<void> {
    try {
      await this.#log.createTopic({ topic: OFFSETS_TOPIC, numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
      return;
    } catch (err) {
      if (!hasCode(err, 'TOPIC_ALREADY_EXISTS')) throw err;
    }
    // Replayed as Kafka's coordinator loads it: plain commits count at once, a transaction's
    // commits when its COMMIT marker comes (and not at all after an ABORT). Reading
    // read_committed instead would also hide the plain commits made after an open transaction
    // began, until that transaction ended.
    const pending = new Map<number, { key: OffsetKey; value: Uint8Array | null }[]>();
    const context = { topic: OFFSETS_TOPIC, partition: 0 };
    let { logStartOffset: offset, highWatermark } = this.#log.offsets(OFFSETS_TOPIC, 0);
    while (offset < highWatermark) {
      const batches = await this.#log.readBatches(OFFSETS_TOPIC, 0, offset, { maxBytes: 1 << 20 });
      if (batches.length === 0) break;
      for (const raw of batches) {
        const batch = decodeRecordBatch(raw.bytes, { context });
        if (batch.isControl) {
          const entries = pending.get(batch.producerId);
          pending.delete(batch.producerId);
          const marker = batch.records[0] === undefined ? undefined : decodeControlRecord(batch.records[0]);
          if (marker?.type === 'COMMIT' && entries !== undefined) for (const e of entries) this.#replay(e.key, e.value);
          continue;
        }
        for (const r of batch.records) {
          if (r.offset < offset || r.key === null) continue;
          const key = decodeOffsetKey(r.key);
          if (key === undefined) continue;
          if (!batch.isTransactional) {
            this.#replay(key, r.value);
            continue;
          }
          let entries = pending.get(batch.producerId);
          if (entries === undefined) pending.set(batch.producerId, (entries = []));
          entries.push({ key, value: r.value });
        }
      }
      offset = batches[batches.length - 1]!.lastOffset + 1;
      highWatermark = this.#log.offsets(OFFSETS_TOPIC, 0).highWatermark;
    }
    // What is still pending belongs to transactions left open by a producer that is gone; they
    // end in an abort (timeout, or the next producer with the transactional id fences them).
  }

  #replay(key: OffsetKey, value: Uint8Array | null): void {
    if (value === null) this.#forget(key.group, key.topic, key.partition);
    else this.#remember(key.group, key.topic, key.partition, decodeOffsetValue(value));
  }

  #remember(group: string, topic: string, partition: number, committed: CommittedOffset): void {
    let map = this.#cache.get(group);
    if (map === undefined) this.#cache.set(group, (map = new Map()));
    map.set(`${topic}\u0000${partition}`, committed);
  }

  #forget(group: string, topic: string, partition: number): void {
    const map = this.#cache.get(group);
    if (map === undefined) return;
    map.delete(`${topic}\u0000${partition}`);
    if (map.size === 0) this.#cache.delete(group);
  }

  /** The records a commit writes; a transaction writes them itself and applies them on commit. */
  append(group: string, commits: OffsetCommit[], producer?: ProducerStamp): PartitionAppend {
    const now = this.#log.clock.now();
    const records = commits.map((c) => ({
      key: encodeOffsetKey(group, c.topic, c.partition),
      value: encodeOffsetValue(c.offset, c.metadata ?? null, now),
    }));
    const append: PartitionAppend = { topic: OFFSETS_TOPIC, partition: 0, records };
    if (producer !== undefined) append.producer = producer;
    return append;
  }

  /** Applies commits already in the log to the cache. */
  apply(group: string, commits: OffsetCommit[]): void {
    const now = this.#log.clock.now();
    for (const c of commits)
      this.#remember(group, c.topic, c.partition, {
        offset: c.offset,
        metadata: c.metadata ?? null,
        commitTimestamp: now,
      });
  }

  async commit(group: string, commits: OffsetCommit[]): Promise<void> {
    if (commits.length === 0) return;
    await this.ready();
    // One write (all or nothing), in batches of COMMIT_CHUNK records: the log encodes a write's
    // batches in slices, so a commit of 10,000 partitions does not hold the event loop.
    const appends: PartitionAppend[] = [];
    const slice = new TimeSlice();
    for (let at = 0; at < commits.length; at += COMMIT_CHUNK) {
      if (slice.due) await slice.pause();
      appends.push(this.append(group, commits.slice(at, at + COMMIT_CHUNK)));
    }
    await this.#log.write(appends, { sync: false });
    this.apply(group, commits);
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.#cache.get(group)?.get(`${topic}\u0000${partition}`);
  }

  /** Every committed offset of a group. */
  list(group: string): { topic: string; partition: number; committed: CommittedOffset }[] {
    const map = this.#cache.get(group);
    if (map === undefined) return [];
    return [...map].map(([k, committed]) => {
      const [topic, partition] = k.split('\u0000') as [string, string];
      return { topic, partition: Number(partition), committed };
    });
  }

  groups(): string[] {
    return [...this.#cache.keys()];
  }

  /** Deletes commits (tombstones): a whole group, or one topic of it. */
  async delete(group: string, topic?: string): Promise<void> {
    await this.ready();
    const doomed = this.list(group).filter((e) => topic === undefined || e.topic === topic);
    if (doomed.length === 0) return;
    await this.#log.write(
      [
        {
          topic: OFFSETS_TOPIC,
          partition: 0,
          records: doomed.map((e) => ({ key: encodeOffsetKey(group, e.topic, e.partition), value: null })),
        },
      ],
      { sync: true },
    );
    for (const e of doomed) this.#forget(group, e.topic, e.partition);
  }
}
