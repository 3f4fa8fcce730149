/**
 * The registry's durable state: a compacted, single-partition topic (`_schemas` by default) of
 * Confluent-format records (see `store-records.ts`). Writes are appended with `sync: true` before
 * the caller updates memory; start-up replays the topic from its first offset.
 */
import { type LogBackend, TributaryError } from '../src/index.ts';
import { registryError, storeError } from './errors.ts';
import { decodeRecord, encodeKey, encodeValue, type StoreRecord } from './store-records.ts';

/** Confluent's default topic name (`kafkastore.topic`). */
export const DEFAULT_SCHEMAS_TOPIC = '_schemas';

/** Bytes of a record batch that are not the record's key and value (header, lengths, varints). */
const BATCH_OVERHEAD = 128;

export class SchemaStore {
  private constructor(
    private readonly log: LogBackend,
    readonly topic: string,
    /** The topic's `max.message.bytes`: a schema's record must fit in one batch of it. */
    readonly maxRecordBytes: number,
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
    let limit: number;
    try {
      limit = (await log.describeTopic(topic)).configs['max.message.bytes'];
    } catch (err) {
      throw storeError(`Cannot read the configs of the ${topic} topic`, err);
    }
    return new SchemaStore(log, topic, limit);
  }

  /**
   * Refuses, before any parsing, a schema text that cannot fit in one record of the topic:
   * `SCHEMA_TOO_LARGE` (Confluent's 42209) instead of a failed write.
   */
  checkSize(schema: string): void {
    // A UTF-16 code unit is at least one byte and at most three: length bounds the bytes cheaply.
    if (schema.length + BATCH_OVERHEAD <= this.maxRecordBytes / 3) return;
    const bytes = Buffer.byteLength(schema, 'utf8');
    if (bytes + BATCH_OVERHEAD > this.maxRecordBytes) throw tooLarge(bytes, this.maxRecordBytes, this.topic);
  }

  /** The exact check for the record about to be written (its JSON escapes and other fields included). */
  checkRecordSize(record: StoreRecord): void {
    const bytes = encodeKey(record.key).length + (encodeValue(record)?.length ?? 0);
    if (bytes + BATCH_OVERHEAD > this.maxRecordBytes) throw tooLarge(bytes, this.maxRecordBytes, this.topic);
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
      if (err instanceof TributaryError && err.code === 'MESSAGE_TOO_LARGE')
        throw tooLarge(undefined, this.maxRecordBytes, this.topic);
      throw storeError(`Cannot write to the ${this.topic} topic`, err);
    }
  }
}

function tooLarge(bytes: number | undefined, limit: number, topic: string): TributaryError {
  const size = bytes === undefined ? '' : ` (${bytes} bytes)`;
  return registryError(
    'SCHEMA_TOO_LARGE',
    `Write failed because schema is too large${size}: a record of the ${topic} topic holds at most ${limit} bytes`,
    {
      topic,
      limit,
    },
  );
}
