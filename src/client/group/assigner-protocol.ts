/**
 * kafkajs's `AssignerProtocol`: Kafka's ConsumerProtocol encodings of a member's subscription
 * (`MemberMetadata`) and of its assignment (`MemberAssignment`), which custom assigners build and
 * read. The byte layout is Kafka's (and kafkajs's), so what one writes the other reads:
 *
 * ```
 * MemberMetadata:   version int16, topics [string], userData bytes
 * MemberAssignment: version int16, [topic string, partitions [int32]], userData bytes
 * string = int16 length + UTF-8; [x] = int32 count + items; bytes = int32 length (-1: null) + bytes
 * ```
 *
 * @example
 * const metadata = AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['orders'] });
 * AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment; // { orders: [0, 2] }
 */

class Writer {
  readonly #parts: Buffer[] = [];
  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.#parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.#parts.push(b);
    return this;
  }
  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    this.int16(bytes.length);
    this.#parts.push(bytes);
    return this;
  }
  bytes(b: Buffer | null | undefined): this {
    if (b === null || b === undefined) return this.int32(-1);
    this.int32(b.length);
    this.#parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

class Reader {
  #at = 0;
  constructor(readonly buf: Buffer) {}
  int16(): number {
    const n = this.buf.readInt16BE(this.#at);
    this.#at += 2;
    return n;
  }
  int32(): number {
    const n = this.buf.readInt32BE(this.#at);
    this.#at += 4;
    return n;
  }
  string(): string {
    const len = this.int16();
    const s = this.buf.toString('utf8', this.#at, this.#at + len);
    this.#at += len;
    return s;
  }
  bytes(): Buffer {
    // Old clients leave userData out entirely; kafkajs reads that as empty.
    if (this.#at + 4 > this.buf.length) return Buffer.alloc(0);
    const len = this.int32();
    if (len < 0) return Buffer.alloc(0);
    const b = this.buf.subarray(this.#at, this.#at + len);
    this.#at += len;
    return b;
  }
}

/** A member's subscription as the group protocol carries it. */
export interface MemberMetadata {
  version: number;
  topics: string[];
  userData?: Buffer | null;
}

/** A member's assignment as the group protocol carries it. */
export interface MemberAssignment {
  version: number;
  assignment: Record<string, number[]>;
  userData?: Buffer | null;
}

/** kafkajs's `AssignerProtocol`. */
export const AssignerProtocol = {
  MemberMetadata: {
    /** The bytes of a member's subscription (Kafka's ConsumerProtocolSubscription v0). */
    encode({ version, topics, userData }: MemberMetadata): Buffer {
      const w = new Writer().int16(version).int32(topics.length);
      for (const t of topics) w.string(t);
      return w.bytes(userData ?? Buffer.alloc(0)).done();
    },
    /** Reads a member's subscription. */
    decode(buffer: Buffer): { version: number; topics: string[]; userData: Buffer } {
      const r = new Reader(buffer);
      const version = r.int16();
      const topics = Array.from({ length: r.int32() }, () => r.string());
      return { version, topics, userData: r.bytes() };
    },
  },
  MemberAssignment: {
    /** The bytes of a member's assignment (Kafka's ConsumerProtocolAssignment v0). */
    encode({ version, assignment, userData }: MemberAssignment): Buffer {
      const topics = Object.keys(assignment);
      const w = new Writer().int16(version).int32(topics.length);
      for (const t of topics) {
        const partitions = assignment[t]!;
        w.string(t).int32(partitions.length);
        for (const p of partitions) w.int32(p);
      }
      return w.bytes(userData ?? Buffer.alloc(0)).done();
    },
    /** Reads a member's assignment; `null` for an empty buffer (a member given nothing), as kafkajs. */
    decode(buffer: Buffer): { version: number; assignment: Record<string, number[]>; userData: Buffer } | null {
      if (buffer.length === 0) return null;
      const r = new Reader(buffer);
      const version = r.int16();
      const assignment: Record<string, number[]> = {};
      const count = r.int32();
      for (let i = 0; i < count; i++) {
        const topic = r.string();
        assignment[topic] = Array.from({ length: r.int32() }, () => r.int32());
      }
      return { version, assignment, userData: r.bytes() };
    },
  },
};
