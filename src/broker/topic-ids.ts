/**
 * Kafka's topic UUIDs for the log's topic ids. The log numbers topics with ids it never reuses;
 * Metadata v10+ and Fetch v13+ name topics by a 16-byte UUID instead. The UUID here is a fixed
 * 8-byte prefix and the log's id as a big-endian uint64, so it is stable across restarts, never
 * the zero UUID Kafka reserves, and maps back without a table.
 *
 * @example
 * const uuid = topicUuid(7);      // 'dHJpYgAAAAAAAAAAAAAABw' (22 base64url characters)
 * logTopicId(uuid);                // 7
 */

const PREFIX = Buffer.from('trib\u0000\u0000\u0000\u0000', 'latin1');

/** The UUID (base64url, as the codecs carry UUIDs) of a log topic id. */
export function topicUuid(topicId: number): string {
  const bytes = Buffer.alloc(16);
  PREFIX.copy(bytes, 0);
  bytes.writeBigUInt64BE(BigInt(topicId), 8);
  return bytes.toString('base64url');
}

/** The log topic id of a UUID this broker made, or undefined for any other. */
export function logTopicId(uuid: string): number | undefined {
  const bytes = Buffer.from(uuid, 'base64url');
  if (bytes.length !== 16 || !bytes.subarray(0, 8).equals(PREFIX)) return undefined;
  const id = bytes.readBigUInt64BE(8);
  return id > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(id);
}

/** Kafka's zero UUID: "no topic id". */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
