/**
 * A table replicated to every task (Kafka's `GlobalKTable`), made by `builder.globalTable()`; it is
 * used for joins (`stream.join(globalTable, keySelector, joiner)`) and is queryable by its store name.
 */
export class GlobalKTable<K, V> {
  /** The store holding the table. */
  readonly queryableStoreName: string;
  /** @internal Phantom fields so the type parameters are checked. */
  declare readonly _types?: [K, V];

  constructor(storeName: string) {
    this.queryableStoreName = storeName;
  }
}
