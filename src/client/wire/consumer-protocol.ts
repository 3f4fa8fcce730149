/**
 * The bytes a classic consumer group carries opaquely through JoinGroup and SyncGroup: each
 * member's subscription (protocol metadata) and each member's assignment, in Kafka's
 * `ConsumerProtocolSubscription` / `ConsumerProtocolAssignment` layouts, so that Java, librdkafka
 * and kafkajs members of the same group read ours and we read theirs.
 *
 * ```
 * Subscription  version int16 (we write 1), topics [string], user_data nullable bytes,
 *               v1+: owned_partitions [topic string, partitions [int32]], v2+: generation_id int32,
 *               v3+: rack_id nullable string
 * Assignment    version int16 (we write 1), assigned_partitions [topic string, partitions [int32]],
 *               user_data nullable bytes
 * ```
 *
 * @example
 * const metadata = encodeSubscription({ topics: ['orders'], ownedPartitions: [] });
 * decodeSubscription(metadata).topics; // ['orders']
 */
import { TributaryError } from '../../errors.ts';
import type { TopicPartitions } from '../types.ts';

export interface Subscription {
  topics: string[];
  ownedPartitions: TopicPartitions[];
}

class Out {
  readonly parts: Buffer[] = [];
  int16(v: number): void {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
  }
  int32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
  }
  string(v: string): void {
    const s = Buffer.from(v, 'utf8');
    this.int16(s.length);
    this.parts.push(s);
  }
  topicPartitions(list: TopicPartitions[]): void {
    this.int32(list.length);
    for (const { topic, partitions } of list) {
      this.string(topic);
      this.int32(partitions.length);
      for (const p of partitions) this.int32(p);
    }
  }
  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class In {
  #pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.#pos >= this.buf.length;
  }
  #need(n: number): void {
    if (this.#pos + n > this.buf.length)
      throw new TributaryError('CORRUPT_MESSAGE', 'Truncated consumer protocol metadata');
  }
  int16(): number {
    this.#need(2);
    const v = this.buf.readInt16BE(this.#pos);
    this.#pos += 2;
    return v;
  }
  int32(): number {
    this.#need(4);
    const v = this.buf.readInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }
  string(): string {
    const n = this.int16();
    this.#need(n);
    const v = this.buf.toString('utf8', this.#pos, this.#pos + n);
    this.#pos += n;
    return v;
  }
  bytes(): void {
    const n = this.int32();
    if (n > 0) {
      this.#need(n);
      this.#pos += n;
    }
  }
  topicPartitions(): TopicPartitions[] {
    const out: TopicPartitions[] = [];
    for (let i = this.int32(); i > 0; i--) {
      const topic = this.string();
      const partitions: number[] = [];
      for (let j = this.int32(); j > 0; j--) partitions.push(this.int32());
      out.push({ topic, partitions });
    }
    return out;
  }
}

/** A member's subscription as version 1 (topics and the partitions it owns, for cooperative assignors). */
export function encodeSubscription(sub: Subscription): Buffer {
  const w = new Out();
  w.int16(1);
  w.int32(sub.topics.length);
  for (const t of sub.topics) w.string(t);
  w.int32(-1);
  w.topicPartitions(sub.ownedPartitions);
  return w.finish();
}

/** Any version's subscription; fields newer than ours are skipped. */
export function decodeSubscription(bytes: Buffer): Subscription {
  if (bytes.length === 0) return { topics: [], ownedPartitions: [] };
  const r = new In(bytes);
  const version = r.int16();
  const topics: string[] = [];
  for (let i = r.int32(); i > 0; i--) topics.push(r.string());
  r.bytes();
  const ownedPartitions = version >= 1 && !r.done ? r.topicPartitions() : [];
  return { topics, ownedPartitions };
}

/** An assignment as version 1. */
export function encodeAssignment(assignment: Record<string, number[]>): Buffer {
  const w = new Out();
  w.int16(1);
  w.topicPartitions(Object.entries(assignment).map(([topic, partitions]) => ({ topic, partitions })));
  w.int32(-1);
  return w.finish();
}

/** Any version's assignment; an empty buffer (no assignment) is `{}`. */
export function decodeAssignment(bytes: Buffer): Record<string, number[]> {
  if (bytes.length === 0) return {};
  const r = new In(bytes);
  r.int16();
  const out: Record<string, number[]> = {};
  for (const { topic, partitions } of r.topicPartitions()) out[topic] = partitions;
  return out;
}
