import type { Serde } from '../../serde/index.ts';
import type { ValueGetterSupplier } from '../internal/table.ts';
import type { ProcessorContext, ProcessorSupplier, StreamRecord } from '../processor.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';
import { resolveSerde } from '../internal/foreign-key/serdes.ts';
import { changelogTopicName } from '../internal/topics.ts';

/** The grace buffer of a stream-table join with a versioned table (KIP-923). */
export interface JoinGraceBuffer<K, V> {
  storeName: string;
  graceMs: number;
  keySerde: Serde<K> | undefined;
  valueSerde: Serde<V> | undefined;
}

/**
 * Kafka's KStreamKTableJoin: each stream record looks up the table's current value for its key
 * (or, for a GlobalKTable, for the key `keySelector` picks, even from a null key); a versioned
 * table is read as of the record's timestamp (KIP-914). As Kafka 3.7+ (KIP-962): records with a
 * null value are dropped, and so are records with no key to look up, except that a left join
 * passes a null-key record on with a null table value; an inner join also drops records whose
 * table value is missing, a left join passes null.
 *
 * With a grace buffer (KIP-923) records wait until stream time is `graceMs` past them and are
 * then joined in timestamp order; a record already that late is joined at once.
 */
export function kstreamTableJoin<K, V, KT, VT, VR>(
  getter: ValueGetterSupplier<KT, VT>,
  keySelector: (key: K, value: V) => KT,
  joiner: (value: V, tableValue: VT | null, key: K) => VR,
  left: boolean,
  buffer?: JoinGraceBuffer<K, V>,
): ProcessorSupplier<K, V, K, VR> {
  const asOf = getter.versioned === true;
  return () => {
    let join: (record: StreamRecord<K, V>) => void;
    let buffered: ((record: StreamRecord<K, V>) => void) | undefined;
    return {
      init(ctx) {
        const get = getter.init(ctx);
        join = (record) => {
          if (record.value === null || record.value === undefined) return;
          const nullKey = record.key === null || record.key === undefined;
          const tableKey = keySelector(record.key, record.value);
          const noTableKey = tableKey === null || tableKey === undefined;
          // KIP-962: a left join passes a null-key record on with a null table value; otherwise a
          // record without a table key to look up is dropped.
          if (noTableKey && !(left && nullKey)) return;
          const tableValue = noTableKey ? null : (get(tableKey, asOf ? record.timestamp : undefined)?.value ?? null);
          if (tableValue === null && !left) return;
          ctx.forward({ ...record, value: joiner(record.value, tableValue, record.key) });
        };
        if (buffer !== undefined && buffer.graceMs > 0) buffered = graceBuffer(ctx, buffer, join);
      },
      process(record) {
        if (buffered === undefined || record.value === null || record.value === undefined) join(record);
        else buffered(record);
      },
    };
  };
}

/**
 * Holds records in `buffer.storeName` under `timestamp i64 | key | seq i32` (Kafka's time-first
 * buffer key, so records leave in timestamp order, then key order), the value being the record's
 * value, until stream time passes them by the grace period. A record without a key is joined at
 * once.
 */
function graceBuffer<K, V>(
  ctx: ProcessorContext,
  buffer: JoinGraceBuffer<K, V>,
  join: (record: StreamRecord<K, V>) => void,
): (record: StreamRecord<K, V>) => void {
  const store = ctx.getStateStore<MeteredKeyValueStore<Uint8Array, Uint8Array>>(buffer.storeName);
  const keySerde = resolveSerde(buffer.keySerde, ctx, 'key', 'stream key');
  const valueSerde = resolveSerde(buffer.valueSerde, ctx, 'value', 'stream value');
  const topic = changelogTopicName(ctx.applicationId, buffer.storeName);
  let observed = Number.MIN_SAFE_INTEGER;
  let seq = 0;
  for (const { key } of store.all()) {
    const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
    seq = Math.max(seq, view.getInt32(key.length - 4) + 1);
  }
  const time = (timestamp: number, key: Uint8Array = new Uint8Array(0), n?: number) => {
    const out = new Uint8Array(8 + key.length + (n === undefined ? 0 : 4));
    const view = new DataView(out.buffer);
    const high = Math.floor(timestamp / 0x1_0000_0000);
    view.setInt32(0, high);
    view.setUint32(4, timestamp - high * 0x1_0000_0000);
    out.set(key, 8);
    if (n !== undefined) view.setInt32(8 + key.length, n);
    return out;
  };
  return (record) => {
    if (record.timestamp > observed) observed = record.timestamp;
    const horizon = observed - buffer.graceMs;
    if (record.timestamp < horizon || record.key === null || record.key === undefined) {
      join(record);
    } else {
      const key = keySerde.serialize(topic, record.key)!;
      store.put(time(record.timestamp, key, seq++), valueSerde.serialize(topic, record.value)!);
    }
    if (horizon < 0) return;
    // Everything up to the horizon: a bare timestamp one above sorts before every key stamped with it.
    for (const { key: at, value } of store.range(null, time(horizon + 1))) {
      if (at.length === 8) continue;
      const view = new DataView(at.buffer, at.byteOffset, at.byteLength);
      const timestamp = view.getInt32(0) * 0x1_0000_0000 + view.getUint32(4);
      if (timestamp > horizon) continue;
      const key = keySerde.deserialize(topic, at.subarray(8, at.length - 4)) as K;
      store.delete(at);
      join({ key, value: valueSerde.deserialize(topic, value) as V, timestamp });
    }
  };
}
