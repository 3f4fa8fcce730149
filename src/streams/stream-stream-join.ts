import { TopologyError } from '../errors.ts';
import type { Serde } from '../serde/index.ts';
import { storeBuilder } from './builder.ts';
import type { JoinWindows } from './join-windows.ts';
import { KStream, repartitionForJoin, streamDef } from './kstream.ts';
import { passThrough } from './operators/passthrough.ts';
import { kstreamStreamSelfJoin } from './operators/stream-stream-self-join.ts';
import {
  joinTimeTrackers,
  kstreamJoinWindow,
  kstreamStreamJoin,
  outerKeySerde,
  outerValuesSerde,
} from './operators/stream-stream-join.ts';
import { JoinWindowStoreBuilder } from './state/join-window-store.ts';
import { Stores } from './state/stores.ts';

/** Options of a stream-stream join (Kafka's `StreamJoined`): serdes of both sides and the stores' kind. */
export interface StreamJoined<K, V, VO> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  otherValueSerde?: Serde<VO>;
  /** Names the join's processors and stores (`<name>-this-join`, `<name>-this-join-store`…). */
  name?: string;
  /** `persistent` (default) or `in-memory` window stores. */
  storeType?: 'persistent' | 'in-memory';
}

export type StreamJoinMode = 'inner' | 'left' | 'outer';

/**
 * Builds a windowed stream-stream join as Kafka's KStreamImplJoin does: each side's records go into
 * its own window store (duplicates kept, retention before + after + grace), each side's join
 * processor probes the other side's store, and both feed one merge node. Left and outer joins share
 * an outer-join store of records still waiting for a match. The inputs must be co-partitioned.
 */
export function streamStreamJoin<K, V, VO, VR>(
  left: KStream<K, V>,
  right: KStream<K, VO>,
  joiner: (key: K, left: V | null, right: VO | null) => VR,
  windows: JoinWindows,
  mode: StreamJoinMode,
  joined: StreamJoined<K, V, VO> = {},
): KStream<K, VR> {
  const b = streamDef(left).builder;
  const keySerde = joined.keySerde ?? streamDef(left).keySerde ?? streamDef(right).keySerde;
  const leftSerde = joined.valueSerde ?? streamDef(left).valueSerde;
  const rightSerde = joined.otherValueSerde ?? streamDef(right).valueSerde;
  const n = joined.name;
  // As Kafka's KStreamImpl.doJoin: `<name>-left` / `<name>-right`, else each side's own node name.
  const l = streamDef(left).repartitionRequired
    ? repartitionForJoin(left, n !== undefined ? `${n}-left` : streamDef(left).nodeName, keySerde, leftSerde)
    : left;
  const r = streamDef(right).repartitionRequired
    ? repartitionForJoin(right, n !== undefined ? `${n}-right` : streamDef(right).nodeName, keySerde, rightSerde)
    : right;
  const thisWindow = n !== undefined ? `${n}-this-windowed` : b.names.processor('KSTREAM-WINDOWED-');
  const otherWindow = n !== undefined ? `${n}-other-windowed` : b.names.processor('KSTREAM-WINDOWED-');
  // As Kafka's KStreamImplJoin: the this-side is OUTER only for an outer join, the other side for a
  // left join too; both names are generated (using up their numbers) even when the join is named.
  const generatedThis = b.names.processor(mode === 'outer' ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-');
  const generatedOther = b.names.processor(mode === 'inner' ? 'KSTREAM-JOINOTHER-' : 'KSTREAM-OUTEROTHER-');
  const joinThis = n !== undefined ? `${n}-this-join` : generatedThis;
  const joinOther = n !== undefined ? `${n}-other-join` : generatedOther;
  const merge = n !== undefined ? `${n}-merge` : b.names.processor('KSTREAM-MERGE-');
  const thisStore = `${joinThis}-store`;
  const otherStore = `${joinOther}-store`;
  const retention = windows.beforeMs + windows.afterMs + windows.graceMs;
  const windowStore = (name: string, valueSerde: Serde<unknown> | undefined) =>
    new JoinWindowStoreBuilder(
      joined.storeType === 'in-memory'
        ? Stores.inMemoryWindowStore(name, retention, windows.sizeMs, true)
        : Stores.persistentWindowStore(name, retention, windows.sizeMs, true),
      keySerde,
      valueSerde,
    );
  // The join's own window store (see JoinWindowStore): the topology keeps builders by their shape.
  type Added = Parameters<typeof b.topology.addStore>[0];
  b.topology.addStore(windowStore(thisStore, leftSerde as Serde<unknown> | undefined) as unknown as Added);
  b.topology.addStore(windowStore(otherStore, rightSerde as Serde<unknown> | undefined) as unknown as Added);
  let outerStore: string | undefined;
  if (mode !== 'inner') {
    outerStore =
      n !== undefined
        ? `${n}-outer-shared-join-store`
        : `${joinThis.replace(/JOINTHIS|OUTERTHIS/, 'OUTERSHARED')}-store`;
    if (keySerde === undefined || leftSerde === undefined || rightSerde === undefined) {
      throw new TopologyError(
        `a ${mode} stream-stream join keeps unmatched records in a store: give the key and both value serdes (StreamJoined or the streams' own)`,
      );
    }
    const fallback = (s: Serde<unknown> | undefined) => () => s as Serde<unknown>;
    const ks = fallback(keySerde as Serde<unknown> | undefined);
    b.topology.addStore(
      storeBuilder(
        outerStore,
        { cachingEnabled: false },
        outerKeySerde(ks),
        outerValuesSerde(
          fallback(leftSerde as Serde<unknown> | undefined),
          fallback(rightSerde as Serde<unknown> | undefined),
        ),
      ),
    );
  }
  const trackers = joinTimeTrackers();
  const j = joiner as (key: K, l: unknown, r: unknown) => VR;
  b.addProcessor(thisWindow, kstreamJoinWindow(thisStore), [streamDef(l).nodeName], [thisStore]);
  b.addProcessor(otherWindow, kstreamJoinWindow(otherStore), [streamDef(r).nodeName], [otherStore]);
  const outerStores = outerStore !== undefined ? [outerStore] : [];
  b.addProcessor(
    joinThis,
    kstreamStreamJoin({
      otherStore,
      outerStore,
      windows,
      thisIsLeft: true,
      outer: mode !== 'inner',
      joiner: j,
      trackers,
    }),
    [thisWindow],
    [...outerStores, otherStore],
  );
  b.addProcessor(
    joinOther,
    kstreamStreamJoin({
      otherStore: thisStore,
      outerStore,
      windows,
      thisIsLeft: false,
      outer: mode === 'outer',
      joiner: j,
      trackers,
    }),
    [otherWindow],
    [...outerStores, thisStore],
  );
  b.addProcessor(merge, passThrough(), [joinThis, joinOther]);
  if (mode === 'inner')
    b.optimizable.joins.push({
      thisWindow,
      otherWindow,
      joinThis,
      joinOther,
      merge,
      thisStore,
      otherStore,
      selfJoin: kstreamStreamSelfJoin(thisStore, windows, j) as never,
    });
  b.copartition(streamDef(l).nodeName, streamDef(r).nodeName);
  return new KStream<K, VR>(b, merge, keySerde, undefined, false);
}
