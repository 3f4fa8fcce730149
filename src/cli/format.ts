import type { KafkaMessage } from '../client/types.ts';

/**
 * Renders a record with a kcat-style format: `%k` key, `%v` or `%s` value, `%t` topic,
 * `%p` partition, `%o` offset, `%T` timestamp, `%h` headers (k=v,…), `%K`/`%S` key/value size,
 * `%%` a percent sign; `\n`, `\t`, `\r` and `\\` escapes.
 */
export function formatRecord(format: string, topic: string, partition: number, message: KafkaMessage): string {
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
          out += message.key?.toString() ?? '';
          break;
        case 'v':
        case 's':
          out += message.value?.toString() ?? '';
          break;
        case 't':
          out += topic;
          break;
        case 'p':
          out += String(partition);
          break;
        case 'o':
          out += message.offset;
          break;
        case 'T':
          out += message.timestamp;
          break;
        case 'K':
          out += String(message.key?.length ?? -1);
          break;
        case 'S':
          out += String(message.value?.length ?? -1);
          break;
        case 'h':
          out += Object.entries(message.headers)
            .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}=${x?.toString() ?? ''}`))
            .join(',');
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
