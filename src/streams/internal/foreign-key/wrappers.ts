/**
 * The foreign-key join's wire formats, byte for byte as Kafka Streams writes them to its
 * subscription and response topics and to the subscription store, so the two interoperate.
 *
 * SubscriptionWrapper (version 1):
 *   versionAndHashNull u8 (0x80 set when there is no hash) | instruction u8 | hash [16] (absent
 *   when null) | primary key (the key serde's bytes) | primaryPartition i32
 * SubscriptionResponseWrapper (version 0):
 *   versionAndHashNull u8 | hash [16] (absent when null) | foreign value (absent when null)
 * Combined key (the subscription store's key): fkLength i32 | foreign key | primary key
 */
import { SerializationError } from '../../../errors.ts';
import type { Serde } from '../../../serde/index.ts';

/** Kafka's `SubscriptionWrapper.Instruction`, with its byte values. */
export const Instruction = {
  /** Delete the subscription; send nothing back. */
  DELETE_KEY_NO_PROPAGATE: 0,
  /** Delete the subscription; send back a null foreign value (the primary row was deleted). */
  DELETE_KEY_AND_PROPAGATE: 1,
  /** Subscribe; send back the foreign value, or null when there is none (the foreign key changed). */
  PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE: 2,
  /** Subscribe; send back the foreign value only when there is one (a first subscription). */
  PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE: 3,
} as const;
export type Instruction = (typeof Instruction)[keyof typeof Instruction];

export const SUBSCRIPTION_VERSION = 1;
export const RESPONSE_VERSION = 0;

/** A subscription as it travels, its primary key still serialized. */
export interface Subscription {
  version: number;
  instruction: Instruction;
  /** Murmur3 128 of the primary row's serialized value, or null for a deleted row. */
  hash: Uint8Array | null;
  primaryKey: Uint8Array;
  /** The partition of the primary row's task (absent in version 0). */
  primaryPartition: number | undefined;
}

/** A response as it travels, its foreign value still serialized. */
export interface SubscriptionResponse {
  version: number;
  hash: Uint8Array | null;
  foreignValue: Uint8Array | null;
  /** Where the response must go (the subscriber's partition); not written to the topic. */
  primaryPartition?: number | undefined;
}

export function encodeSubscription(s: Subscription): Uint8Array {
  const hashLength = s.hash === null ? 0 : 16;
  const partitionLength = s.version >= 1 ? 4 : 0;
  const out = new Uint8Array(2 + hashLength + s.primaryKey.length + partitionLength);
  out[0] = s.version | (s.hash === null ? 0x80 : 0);
  out[1] = s.instruction;
  if (s.hash !== null) out.set(s.hash, 2);
  out.set(s.primaryKey, 2 + hashLength);
  if (partitionLength > 0) new DataView(out.buffer).setInt32(out.length - 4, s.primaryPartition ?? -1);
  return out;
}

export function decodeSubscription(data: Uint8Array, topic: string): Subscription {
  if (data.length < 2) throw new SerializationError(`subscription of ${data.length} bytes is too short`, { topic });
  const version = data[0]! & 0x7f;
  const hashNull = (data[0]! & 0x80) !== 0;
  const instruction = data[1]!;
  if (instruction > 3) throw new SerializationError(`unknown subscription instruction ${instruction}`, { topic });
  const hashLength = hashNull ? 0 : 16;
  const partitionLength = version >= 1 ? 4 : 0;
  if (data.length < 2 + hashLength + partitionLength)
    throw new SerializationError(`subscription of ${data.length} bytes is too short`, { topic });
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    version,
    instruction: instruction as Instruction,
    hash: hashNull ? null : data.slice(2, 18),
    primaryKey: data.slice(2 + hashLength, data.length - partitionLength),
    primaryPartition: partitionLength > 0 ? view.getInt32(data.length - 4) : undefined,
  };
}

export function encodeResponse(r: SubscriptionResponse): Uint8Array {
  const hashLength = r.hash === null ? 0 : 16;
  const out = new Uint8Array(1 + hashLength + (r.foreignValue?.length ?? 0));
  out[0] = r.version | (r.hash === null ? 0x80 : 0);
  if (r.hash !== null) out.set(r.hash, 1);
  if (r.foreignValue !== null) out.set(r.foreignValue, 1 + hashLength);
  return out;
}

/** As Kafka reads it: an empty value part is a null foreign value. */
export function decodeResponse(data: Uint8Array, topic: string): SubscriptionResponse {
  if (data.length < 1) throw new SerializationError('empty subscription response', { topic });
  const hashNull = (data[0]! & 0x80) !== 0;
  const start = hashNull ? 1 : 17;
  if (data.length < start)
    throw new SerializationError(`subscription response of ${data.length} bytes is too short`, { topic });
  return {
    version: data[0]! & 0x7f,
    hash: hashNull ? null : data.slice(1, 17),
    foreignValue: data.length > start ? data.slice(start) : null,
  };
}

/** Serdes of the subscription and response topics: the wrappers keep their inner parts as bytes. */
export const subscriptionSerde: Serde<Subscription> = {
  serialize: (_topic, s) => (s === null ? null : encodeSubscription(s)),
  deserialize: (topic, data) => (data === null ? null : decodeSubscription(data, topic)),
};

export const responseSerde: Serde<SubscriptionResponse> = {
  serialize: (_topic, r) => (r === null ? null : encodeResponse(r)),
  deserialize: (topic, data) => (data === null ? null : decodeResponse(data, topic)),
};

/** The subscription store's key: `fkLength i32 | fk | pk`; with no `pk`, the prefix of every pk of `fk`. */
export function combinedKey(foreignKey: Uint8Array, primaryKey: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(4 + foreignKey.length + primaryKey.length);
  new DataView(out.buffer).setInt32(0, foreignKey.length);
  out.set(foreignKey, 4);
  out.set(primaryKey, 4 + foreignKey.length);
  return out;
}

/** The smallest byte string above every string starting with `prefix` (null when there is none). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | null {
  const out = prefix.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  return null;
}

export function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}
