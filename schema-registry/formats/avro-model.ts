/**
 * The parts of avsc's type graph the Avro plugin reads. avsc's own typings leave most of them out;
 * this narrow view is the one place that knows their shape.
 */
import type avsc from 'avsc';

export interface AvroField {
  readonly name: string;
  readonly type: AvroType;
  readonly aliases: readonly string[];
  defaultValue(): unknown;
}

export interface AvroType {
  /** `null`, `int`…, `record`, `error`, `enum`, `fixed`, `array`, `map`, `union:wrapped`, `union:unwrapped`, `logical:*`. */
  readonly typeName: string;
  /** Full name of a named type. */
  readonly name?: string;
  /** Full names. */
  readonly aliases?: readonly string[];
  readonly fields?: readonly AvroField[];
  readonly symbols?: readonly string[];
  readonly default?: unknown;
  readonly size?: number;
  readonly itemsType?: AvroType;
  readonly valuesType?: AvroType;
  readonly types?: readonly AvroType[];
  readonly underlyingType?: AvroType;
}

/** avsc's Type seen through {@link AvroType}. */
export function view(type: avsc.Type): AvroType {
  return type as unknown as AvroType;
}

/** Logical types are read and written as their underlying type. */
export function unwrap(type: AvroType): AvroType {
  let t = type;
  while (t.typeName.startsWith('logical:') && t.underlyingType) t = t.underlyingType;
  return t;
}

export function isUnion(type: AvroType): boolean {
  return type.typeName.startsWith('union:');
}

export function isRecord(type: AvroType): boolean {
  return type.typeName === 'record' || type.typeName === 'error';
}

/** The last dotted component of a full name. */
export function unqualified(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name : name.slice(dot + 1);
}
