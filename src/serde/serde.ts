/**
 * How a value becomes bytes and back, as Kafka's `Serde<T>`: a serializer and a deserializer that
 * both know the topic they work for (a registry serde uses it to pick the subject).
 *
 * `null` always passes through as `null`: a tombstone stays a tombstone, whatever the serde.
 *
 * @example
 * const serde: Serde<string> = Serdes.String();
 * const bytes = serde.serialize('words', 'hello');   // Uint8Array [104, 101, 108, 108, 111]
 * serde.deserialize('words', bytes);                  // 'hello'
 */
export interface Serde<T> {
  /** Turns a value into bytes for `topic`; `null` stays `null`. */
  serialize(topic: string, value: T | null, headers?: SerdeHeaders): Uint8Array | null;
  /** Turns bytes read from `topic` back into a value; `null` stays `null`. */
  deserialize(topic: string, data: Uint8Array | null, headers?: SerdeHeaders): T | null;
}

/** Record headers as a serde may see them (a registry serde may read or write a schema id there). */
export type SerdeHeaders = Record<string, Uint8Array | string | undefined>;

/** The value type a serde produces. */
export type SerdeType<S> = S extends Serde<infer T> ? T : never;
