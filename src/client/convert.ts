import type { LogHeader, LogRecord } from '../log/index.ts';
import type { IHeaders, KafkaMessage, Message } from './types.ts';

const encoder = new TextEncoder();

/** Bytes of a key or value given as Buffer or string; `null`/`undefined` stay `null`. */
export function toBytes(value: Buffer | string | Uint8Array | null | undefined, what: string): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`${what} must be a Buffer, a string or null; got ${typeof value}`);
}

export function toLogHeaders(headers: IHeaders | undefined): LogHeader[] | undefined {
  if (headers === undefined || headers === null) return undefined;
  const out: LogHeader[] = [];
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push({ key, value: toBytes(v, `header "${key}"`) });
    else out.push({ key, value: toBytes(value, `header "${key}"`) });
  }
  return out;
}

export function asBuffer(bytes: Uint8Array | null): Buffer | null {
  if (bytes === null) return null;
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Headers read back: a repeated key becomes an array, as kafkajs does. */
export function fromLogHeaders(headers: readonly LogHeader[]): IHeaders {
  const out: IHeaders = {};
  for (const h of headers) {
    const value = asBuffer(h.value) ?? Buffer.alloc(0);
    const existing = out[h.key];
    if (existing === undefined) out[h.key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[h.key] = [existing, value];
  }
  return out;
}

export function toKafkaMessage(record: LogRecord): KafkaMessage {
  return {
    key: asBuffer(record.key),
    value: asBuffer(record.value),
    timestamp: String(record.timestamp),
    // Every record here comes from a v2 record batch, as kafkajs says on its messages.
    magicByte: 2,
    attributes: 0,
    offset: String(record.offset),
    headers: record.headers.length === 0 ? {} : fromLogHeaders(record.headers),
  };
}

/** Parses a kafkajs offset string (or number) to a non-negative integer, or throws TypeError. */
export function parseOffset(offset: string | number | bigint, what = 'offset'): number {
  const n = typeof offset === 'string' ? Number(offset) : Number(offset);
  if (!Number.isSafeInteger(n)) throw new TypeError(`${what} must be an integer as a string; got ${String(offset)}`);
  return n;
}

export function parseTimestamp(message: Message): number | undefined {
  if (message.timestamp === undefined || message.timestamp === null) return undefined;
  const n = Number(message.timestamp);
  if (!Number.isSafeInteger(n))
    throw new TypeError(`message timestamp must be milliseconds as a string; got ${message.timestamp}`);
  return n;
}
