/**
 * A format's framed encoder and decoder for a serde: the plugin's own fast path when it has one
 * ({@link FormatPlugin.framedEncoder}, {@link FormatPlugin.framedDecoder}), otherwise its plain
 * `serialize` and `deserialize` with the framing added and removed around them.
 */
import { Buffer } from 'node:buffer';
import type {
  DeserializeOptions,
  FormatPlugin,
  FramedDecoder,
  FramedEncoder,
  ParsedSchema,
  SerializeOptions,
} from '../formats/types.ts';

/** An encoder whose every output starts with `header`. */
export function framedEncoder(
  plugin: FormatPlugin,
  schema: ParsedSchema,
  header: Uint8Array,
  options?: SerializeOptions,
): FramedEncoder {
  return plugin.framedEncoder?.(schema, header, options) ?? new PlainEncoder(plugin, schema, header, options);
}

/** A decoder of `writer`'s payloads at an offset of framed bytes. */
export function framedDecoder(plugin: FormatPlugin, writer: ParsedSchema, options?: DeserializeOptions): FramedDecoder {
  return plugin.framedDecoder?.(writer, options) ?? new PlainDecoder(plugin, writer, options);
}

class PlainEncoder implements FramedEncoder {
  constructor(
    private readonly plugin: FormatPlugin,
    private readonly schema: ParsedSchema,
    private readonly header: Uint8Array,
    private readonly options: SerializeOptions | undefined,
  ) {}

  encode(value: unknown): Uint8Array {
    const payload = this.plugin.serialize(this.schema, value, this.options);
    const out = Buffer.allocUnsafe(this.header.length + payload.length);
    out.set(this.header, 0);
    out.set(payload, this.header.length);
    return out;
  }
}

class PlainDecoder implements FramedDecoder {
  constructor(
    private readonly plugin: FormatPlugin,
    private readonly writer: ParsedSchema,
    private readonly options: DeserializeOptions | undefined,
  ) {}

  decode(data: Uint8Array, offset: number): unknown {
    return this.plugin.deserialize(this.writer, offset === 0 ? data : data.subarray(offset), this.options);
  }
}
