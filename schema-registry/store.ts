/**
 * The registry's durable state: a compacted, single-partition topic (`_schemas` by default) of
 * Confluent-format records (see `store-records.ts`). Writes are appended with `sync: true` before
 * the caller updates memory; start-up replays the topic from its first offset.
 */
import { type LogBackend, TributaryError } from '../src/index.ts';
import { storeError } from './errors.ts';
import { decodeRecord, encodeKey, encodeValue, type StoreRecord } from './store-records.ts';

/** Confluent's default topic name (`kafkastore.topic`). */
export const DEFAULT_SCHEMAS_TOPIC = '_schemas';

export class SchemaStore {
  private constructor(
    private readonly log: LogBackend,
    readonly topic: string,
  ) {}

  /** Opens the store, creating its topic (one partition, `cleanup.policy=compact`) when missing. */
  static async open(log: LogBackend, topic = DEFAULT_SCHEMAS_TOPIC): Promise<SchemaStore> {
    try {
      const topics = await log.listTopics();
      if (!topics.includes(topic)) {
        await log.createTopic({ topic, numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
      }
    } catch (err) {
      if (!(err instanceof TributaryError && err.code === 'TOPIC_ALREADY_EXISTS')) {
        throw storeError(`Cannot open the ${topic} topic`, err);
      }
    }
    return new SchemaStore(log, topic);
  }

  /** Feeds every record of the topic, oldest first, to `apply`. Records it cannot decode are skipped. */
  async replay(apply: (record: StoreRecord) => void): Promise<number> {
    let count = 0;
    try {
      let { logStartOffset: offset, highWatermark } = this.log.offsets(this.topic, 0);
      while (offset < highWatermark) {
        const batch = await this.log.read(this.topic, 0, offset);
        for (const record of batch.records) {
          const decoded = decodeRecord(record.key, record.value);
          if (decoded !== undefined) {
            apply(decoded);
            count++;
          }
        }
        if (batch.nextOffset <= offset) break;
        offset = batch.nextOffset;
        highWatermark = batch.highWatermark;
      }
    } catch (err) {
      throw storeError(`Cannot replay the ${this.topic} topic`, err);
    }
    return count;
  }

  /** Appends records in one atomic, fsynced write: all of them are durable, or none. */
  async write(records: readonly StoreRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.log.append(
        this.topic,
        0,
        records.map((r) => ({ key: encodeKey(r.key), value: encodeValue(r) })),
        { sync: true },
      );
    } catch (err) {
      throw storeError(`Cannot write to the ${this.topic} topic`, err);
    }
  }
}
