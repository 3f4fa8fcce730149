/**
 * How the console shows a key, a value or a header: as text, JSON, a record decoded through the
 * schema registry by the id in Confluent's wire format, or hex. `auto` picks the first that fits,
 * in the order a Kafka user expects: registry framing (magic byte 0 and a schema id the registry
 * knows), then JSON, then UTF-8 text without control characters, then hex.
 *
 * What is shown is bounded (`maxChars`); the page gets the size of the whole and `truncated`.
 * Everything returned is data for `textContent`: nothing here is HTML.
 *
 * @example
 * const decoder = new FieldDecoder(registry);
 * await decoder.decode('orders', value, 'auto', false); // { format: 'avro', text: '{"id":1}', schemaId: 3 }
 */

/** The formats a field can be asked for; `auto` detects. */
/** Every {@link FieldFormat}. */
export const FIELD_FORMATS = ['auto', 'string', 'json', 'hex', 'schema'] as const;
/** How a field is asked to be shown: detected (`auto`), as text, JSON, hex, or through the registry. */
export type FieldFormat = (typeof FIELD_FORMATS)[number];

/** A field as the page shows it. */
export interface ShownField {
  /** What it was decoded as: `null`, `string`, `json`, `hex`, or the schema type (`avro`, `protobuf`, `json-schema`). */
  format: string;
  /** The text to show (JSON pretty-printing is the page's). `null` for a null field. */
  text: string | null;
  /** Bytes of the whole field. */
  size: number;
  /** The text stops short of the whole field. */
  truncated?: boolean;
  /** For registry-framed data: the writer's schema id. */
  schemaId?: number;
}

const DEFAULT_MAX_CHARS = 64 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True when `text` holds a control character other than tab, newline and carriage return. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

function hex(bytes: Uint8Array, maxChars: number): ShownField {
  const shown = Math.min(bytes.length, Math.floor(maxChars / 2));
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, shown).toString('hex');
  return { format: 'hex', text, size: bytes.length, ...(shown < bytes.length ? { truncated: true } : {}) };
}

function clip(format: string, text: string, size: number, maxChars: number): ShownField {
  if (text.length <= maxChars) return { format, text, size };
  return { format, text: text.slice(0, maxChars), size, truncated: true };
}

function asText(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * What the console needs of a schema registry: Confluent's REST API (for the schemas pages) and the
 * decoding of registry-framed bytes. `src/` never imports the registry; `tributary/schema-registry`'s
 * `consoleRegistry(registry)` (or any implementation, e.g. over a remote registry) is handed in.
 */
export interface ConsoleRegistry {
  /** One REST call, as Confluent's API answers it: `path` from `/subjects…`, `/config…` etc. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
  /**
   * The record in `bytes` decoded by its writer's schema, as JSON text, with the schema type
   * (`avro`, `protobuf`, `json-schema`) and id; undefined when the bytes are not registry-framed
   * data the registry knows.
   */
  decode(
    topic: string,
    bytes: Uint8Array,
    isKey: boolean,
  ): Promise<{ format: string; text: string; schemaId: number } | undefined>;
  /**
   * `json` (a JSON text) written with the latest schema of the topic's subject (`<topic>-value`,
   * `<topic>-key`) in Confluent's wire format. Throws a TributaryError (SUBJECT_NOT_FOUND,
   * SERIALIZATION_ERROR…) when there is no such subject or the value does not fit the schema.
   */
  encode(topic: string, json: string, isKey: boolean): Promise<Uint8Array>;
}

/** Turns fields into {@link ShownField}s, registry-framed ones through the {@link ConsoleRegistry}. */
export class FieldDecoder {
  readonly #registry: ConsoleRegistry | undefined;
  readonly #maxChars: number;

  constructor(registry: ConsoleRegistry | undefined, options: { maxChars?: number } = {}) {
    this.#registry = registry;
    this.#maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  }

  /** Shows `bytes` (a key when `isKey`) of `topic` as `format` asks. */
  async decode(topic: string, bytes: Uint8Array | null, format: FieldFormat, isKey: boolean): Promise<ShownField> {
    if (bytes === null) return { format: 'null', text: null, size: 0 };
    const max = this.#maxChars;
    if (format === 'hex') return hex(bytes, max);
    if (
      (format === 'schema' || format === 'auto') &&
      this.#registry !== undefined &&
      bytes.length >= 5 &&
      bytes[0] === 0
    ) {
      let decoded: Awaited<ReturnType<ConsoleRegistry['decode']>>;
      try {
        decoded = await this.#registry.decode(topic, bytes, isKey);
      } catch {
        decoded = undefined;
      }
      if (decoded !== undefined)
        return { ...clip(decoded.format, decoded.text, bytes.length, max), schemaId: decoded.schemaId };
    }
    if (format === 'schema') return hex(bytes, max);
    const text = asText(bytes);
    if (format === 'string') return text === undefined ? hex(bytes, max) : clip('string', text, bytes.length, max);
    if (text === undefined) return hex(bytes, max);
    const trimmed = text.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[') || format === 'json') {
      try {
        JSON.parse(text);
        return clip('json', text, bytes.length, max);
      } catch {
        // not JSON: text or hex below
      }
    }
    return hasControl(text) ? hex(bytes, max) : clip('string', text, bytes.length, max);
  }
}
