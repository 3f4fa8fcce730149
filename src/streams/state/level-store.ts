import { type KvOp, type KvStore, openKvStore } from '../../log/index.ts';
import { Bytes, type BytesEntry, type BytesStore } from './bytes.ts';
import { InMemoryBytesStore } from './memory-store.ts';

const DATA = 1;
const CHECKPOINT_KEY = new Uint8Array([0]);

/**
 * The persistent bytes store on LevelDB (through the log layer's `openKvStore`): one database per
 * task and store under `<stateDir>/<applicationId>/<taskId>/<store>`. Processors read and write
 * synchronously, so the data is served from memory, loaded from LevelDB when the task starts; the
 * database is written only after a commit has reached the log, in one atomic batch of that commit's
 * writes and a checkpoint key holding the changelog offset they bring the store to. A crash
 * before that batch leaves the previous checkpoint, and the runtime restores the rest from the
 * changelog.
 *
 * Keys: `0x01 + key` for data, `0x00` for the checkpoint (a float64 changelog offset).
 */
export class LevelBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent: boolean = true;
  /** Resolves once the database is open and loaded. */
  readonly ready: Promise<void>;
  readonly #memory: InMemoryBytesStore;
  #kv: KvStore | undefined;
  #pending: KvOp[] = [];
  #checkpoint: number | undefined;

  constructor(location: string, name: string) {
    this.name = name;
    this.#memory = new InMemoryBytesStore(name);
    this.ready = this.#load(location);
    // The runtime awaits `ready`; keep an unobserved failure from crashing the process meanwhile.
    this.ready.catch(() => undefined);
  }

  async #load(location: string): Promise<void> {
    const kv = await openKvStore({ location });
    this.#kv = kv;
    const checkpoint = await kv.get(CHECKPOINT_KEY);
    if (checkpoint !== undefined) this.#checkpoint = Buffer.from(checkpoint).readDoubleBE(0);
    const it = kv.iterator({ gte: new Uint8Array([DATA]), lt: new Uint8Array([DATA + 1]) });
    try {
      for (;;) {
        const entries = await it.nextv(10_000);
        if (entries.length === 0) break;
        for (const [key, value] of entries) this.#memory.put(new Bytes(key.subarray(1)), value);
      }
    } finally {
      await it.close();
    }
  }

  /** The changelog offset the stored data covers up to (exclusive), if ever checkpointed. */
  get checkpoint(): number | undefined {
    return this.#checkpoint;
  }

  get(key: Bytes): Uint8Array | null {
    return this.#memory.get(key);
  }

  put(key: Bytes, value: Uint8Array | null): void {
    this.#memory.put(key, value);
    const k = new Uint8Array(key.bytes.length + 1);
    k[0] = DATA;
    k.set(key.bytes, 1);
    this.#pending.push(value === null ? { type: 'del', key: k } : { type: 'put', key: k, value });
  }

  range(from: Bytes | null, to: Bytes | null): BytesEntry[] {
    return this.#memory.range(from, to);
  }

  approximateNumEntries(): number {
    return this.#memory.approximateNumEntries();
  }

  ids(): Iterable<string> {
    return this.#memory.ids();
  }

  flush(): void {}

  /** Takes the writes made since the last call: what the commit being prepared covers. */
  takePending(): KvOp[] {
    const ops = this.#pending;
    this.#pending = [];
    return ops;
  }

  /** Called after a commit reached the log: writes that commit's writes and the checkpoint, atomically. */
  async commit(changelogOffset: number, ops: KvOp[] = this.takePending()): Promise<void> {
    const offset = Buffer.alloc(8);
    offset.writeDoubleBE(changelogOffset);
    await this.#kv!.write([...ops, { type: 'put', key: CHECKPOINT_KEY, value: offset }], false);
    this.#checkpoint = changelogOffset;
  }

  /** Closes the database; uncommitted writes are dropped (the changelog has what was committed). */
  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    const kv = this.#kv;
    this.#kv = undefined;
    await kv?.close();
  }
}
