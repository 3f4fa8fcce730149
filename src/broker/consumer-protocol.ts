/**
 * Kafka's ConsumerProtocol bytes, read leniently: the coordinator keeps a member's subscription and
 * assignment as the client sent them, and reads them only to tell in-process members of the same
 * group what a network member subscribes to and was given.
 *
 * ```
 * Subscription v0: version int16, topics [string], user_data nullable bytes
 *              v1: + owned_partitions [topic string, partitions [int32]]
 *              v2: + generation_id int32      v3: + rack_id nullable string
 * Assignment   v0: version int16, assigned_partitions [topic string, partitions [int32]], user_data nullable bytes
 * ```
 * Strings: int16 length; arrays: int32 count; bytes: int32 length (-1 null).
 *
 * @example
 * decodeSubscription(metadata)?.topics; // ['orders']
 * decodeAssignment(bytes);              // { orders: [0, 2] }
 */
import type { Assignment } from '../client/group/assignors.ts';
import type { TopicPartitions } from '../client/types.ts';

class Cursor {
  at = 0;
  constructor(readonly b: Buffer) {}
  need(n: number): void {
    if (n < 0 || this.at + n > this.b.length) throw new RangeError('truncated');
  }
  int16(): number {
    this.need(2);
    const v = this.b.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.b.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  string(): string {
    const n = this.int16();
    if (n < 0) return '';
    this.need(n);
    const s = this.b.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }
  count(): number {
    const n = this.int32();
    if (n < 0) return 0;
    // Each element takes at least two bytes: a lying count fails here, not in an allocation.
    this.need(n * 2);
    return n;
  }
  skipBytes(): void {
    const n = this.int32();
    if (n > 0) {
      this.need(n);
      this.at += n;
    }
  }
  topicPartitions(): TopicPartitions[] {
    const out: TopicPartitions[] = [];
    for (let i = this.count(); i > 0; i--) {
      const topic = this.string();
      const partitions: number[] = [];
      for (let j = this.count(); j > 0; j--) partitions.push(this.int32());
      out.push({ topic, partitions });
    }
    return out;
  }
}

/** A subscription's topics and owned partitions, or undefined for bytes that are not one. */
export function decodeSubscription(
  bytes: Uint8Array,
): { topics: string[]; ownedPartitions: TopicPartitions[] } | undefined {
  try {
    const c = new Cursor(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const version = c.int16();
    if (version < 0) return undefined;
    const topics: string[] = [];
    for (let i = c.count(); i > 0; i--) topics.push(c.string());
    c.skipBytes();
    const ownedPartitions = version >= 1 && c.at < c.b.length ? c.topicPartitions() : [];
    return { topics, ownedPartitions };
  } catch {
    return undefined;
  }
}

/** An assignment's partitions by topic, or undefined for bytes that are not one. */
export function decodeAssignment(bytes: Uint8Array): Assignment | undefined {
  if (bytes.length === 0) return {};
  try {
    const c = new Cursor(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (c.int16() < 0) return undefined;
    const out: Assignment = {};
    for (const { topic, partitions } of c.topicPartitions()) out[topic] = [...(out[topic] ?? []), ...partitions];
    return out;
  } catch {
    return undefined;
  }
}
