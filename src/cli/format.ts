/**
 * How `trib consume` prints a record: a kcat-style format string, or kcat's `-J` JSON envelope.
 */
import { toJson } from './schema-serdes.ts';

/** A record as `trib consume` prints it, from the log or from a group consumer. */
export interface PrintedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: [string, Buffer | null][];
  /** The key decoded by its schema (`--key-format`); undefined when printed as text. */
  decodedKey?: unknown;
  /** The value decoded by its schema (`--value-format`); undefined when printed as text. */
  decodedValue?: unknown;
  keySchemaId?: number;
  valueSchemaId?: number;
}

function keyText(record: PrintedRecord): string {
  if (record.decodedKey !== undefined) return record.decodedKey === null ? '' : toJson(record.decodedKey);
  return record.key?.toString() ?? '';
}

function valueText(record: PrintedRecord): string {
  if (record.decodedValue !== undefined) return record.decodedValue === null ? '' : toJson(record.decodedValue);
  return record.value?.toString() ?? '';
}

/**
 * Renders a record with a kcat-style format: `%k` key, `%v` or `%s` value, `%t` topic,
 * `%p` partition, `%o` offset, `%T` timestamp, `%h` headers (k=v,…), `%K`/`%S` key/value size,
 * `%%` a percent sign; `\n`, `\t`, `\r` and `\\` escapes.
 *
 * @example
 * formatRecord('%k=%v\\n', record); // 'user-1=hello\n'
 */
export function formatRecord(format: string, record: PrintedRecord): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    const next = format[i + 1];
    if (c === '\\' && next !== undefined) {
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
      i++;
    } else if (c === '%' && next !== undefined) {
      i++;
      switch (next) {
        case 'k':
          out += keyText(record);
          break;
        case 'v':
        case 's':
          out += valueText(record);
          break;
        case 't':
          out += record.topic;
          break;
        case 'p':
          out += String(record.partition);
          break;
        case 'o':
          out += String(record.offset);
          break;
        case 'T':
          out += String(record.timestamp);
          break;
        case 'K':
          out += String(record.key?.length ?? -1);
          break;
        case 'S':
          out += String(record.value?.length ?? -1);
          break;
        case 'h':
          out += record.headers.map(([k, v]) => `${k}=${v?.toString() ?? ''}`).join(',');
          break;
        case '%':
          out += '%';
          break;
        default:
          out += `%${next}`;
      }
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * kcat's `-J` envelope, one JSON object per line: topic, partition, offset, `tstype`, `ts`,
 * `broker` (-1: no broker), headers as a flat [name, value, …] list, `key` and `payload` as text,
 * or as JSON values with their schema ids when decoded by a schema.
 */
export function jsonRecord(record: PrintedRecord): string {
  const out: Record<string, unknown> = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    tstype: 'create',
    ts: record.timestamp,
    broker: -1,
  };
  if (record.headers.length > 0) out.headers = record.headers.flatMap(([k, v]) => [k, v?.toString() ?? null]);
  out.key = record.decodedKey !== undefined ? record.decodedKey : (record.key?.toString() ?? null);
  if (record.keySchemaId !== undefined) out.key_schema_id = record.keySchemaId;
  out.payload = record.decodedValue !== undefined ? record.decodedValue : (record.value?.toString() ?? null);
  if (record.valueSchemaId !== undefined) out.value_schema_id = record.valueSchemaId;
  return `${toJson(out)}\n`;
}

/** Checks a format for unknown `%` tokens; returns the first one, or undefined. */
export function unknownToken(format: string): string | undefined {
  for (let i = 0; i < format.length - 1; i++) {
    if (format[i] === '\\') {
      i++;
      continue;
    }
    if (format[i] === '%') {
      const t = format[i + 1]!;
      if (!'kvstpoTKSh%'.includes(t)) return `%${t}`;
      i++;
    }
  }
  return undefined;
}
