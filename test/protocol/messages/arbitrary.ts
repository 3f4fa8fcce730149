/**
 * Test values for a message schema at one version: fast-check arbitraries that fill every field the
 * version has (absent fields get their defaults, as a decode gives them), and one deterministic
 * sample whose every present field differs from its default.
 */

import fc from 'fast-check';
import type { AnyField, MessageSchema, Primitive, TypeDef } from '../../../src/protocol/wire/schema.ts';

const within = (r: { lo: number; hi: number }, v: number): boolean => v >= r.lo && v <= r.hi;

function defaultOf(fd: AnyField): unknown {
  if (fd.default !== undefined) return fd.default;
  if (fd.nullable.lo <= fd.nullable.hi) return null;
  return defaultOfType(fd.type);
}

function defaultOfType(t: TypeDef): unknown {
  if (t.kind === 'array') return [];
  if (t.kind === 'struct') return Object.fromEntries(t.fields.map((fd) => [fd.name, defaultOf(fd)]));
  switch (t.p) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return 'AAAAAAAAAAAAAAAAAAAAAA';
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    default:
      return 0;
  }
}

const uuidArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64url'));
const bufArb = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b));

function primArb(p: Primitive): fc.Arbitrary<unknown> {
  switch (p) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'int64':
      return fc.maxSafeInteger().map((n) => n);
    case 'float64':
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d));
    case 'bool':
      return fc.boolean();
    case 'uuid':
      return uuidArb;
    case 'string':
      return fc.string({ maxLength: 20, unit: 'binary' }).filter((s) => !/[\uD800-\uDFFF]/.test(s));
    case 'bytes':
    case 'records':
      return bufArb;
  }
}

function typeArb(t: TypeDef, version: number): fc.Arbitrary<unknown> {
  if (t.kind === 'primitive') return primArb(t.p);
  if (t.kind === 'struct') return structArb(t.fields, version);
  return fc.array(typeArb(t.of, version), { maxLength: 3 });
}

function structArb(fields: readonly AnyField[], version: number): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const fd of fields) {
    if (!within(fd.versions, version)) {
      shape[fd.name] = fc.constant(null).map(() => defaultOf(fd));
      continue;
    }
    const base = typeArb(fd.type, version);
    shape[fd.name] = within(fd.nullable, version) ? fc.option(base, { nil: null, freq: 3 }) : base;
  }
  return fc.record(shape);
}

/** Random values of a message at one version, with defaults for the fields it does not have. */
export function arbitraryMessage(
  schema: MessageSchema<unknown>,
  version: number,
): fc.Arbitrary<Record<string, unknown>> {
  return structArb(schema.fields, version);
}

function sampleType(t: TypeDef, version: number, seed: number): unknown {
  if (t.kind === 'array') return [sampleType(t.of, version, seed + 1), sampleType(t.of, version, seed + 2)];
  if (t.kind === 'struct') return sampleStruct(t.fields, version, seed);
  switch (t.p) {
    case 'int8':
      return 7 + (seed % 50);
    case 'int16':
      return 300 + seed;
    case 'uint16':
      return 60000 + seed;
    case 'int32':
      return 100000 + seed;
    case 'int64':
      return 2 ** 40 + seed;
    case 'float64':
      return 1.5 + seed;
    case 'bool':
      return true;
    case 'uuid':
      return Buffer.alloc(16, seed + 1).toString('base64url');
    case 'string':
      return `s${seed}-é`;
    case 'bytes':
    case 'records':
      return Buffer.from([seed & 0xff, 1, 2, 3]);
  }
}

function sampleStruct(fields: readonly AnyField[], version: number, seed: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  fields.forEach((fd, i) => {
    o[fd.name] = within(fd.versions, version) ? sampleType(fd.type, version, seed * 7 + i) : defaultOf(fd);
  });
  return o;
}

/** One value of a message at one version whose every present field is set and differs from its default. */
export function sampleMessage(schema: MessageSchema<unknown>, version: number): Record<string, unknown> {
  return sampleStruct(schema.fields, version, 1);
}

/** The same as {@link sampleMessage} but with null in every field nullable in this version. */
export function sampleMessageWithNulls(schema: MessageSchema<unknown>, version: number): Record<string, unknown> {
  const walk = (fields: readonly AnyField[], seed: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    fields.forEach((fd, i) => {
      if (!within(fd.versions, version)) o[fd.name] = defaultOf(fd);
      else if (within(fd.nullable, version)) o[fd.name] = null;
      else if (fd.type.kind === 'struct') o[fd.name] = walk(fd.type.fields, seed + i);
      else if (fd.type.kind === 'array' && fd.type.of.kind === 'struct')
        o[fd.name] = [walk(fd.type.of.fields, seed + i)];
      else o[fd.name] = sampleType(fd.type, version, seed * 7 + i);
    });
    return o;
  };
  return walk(schema.fields, 1);
}

/**
 * `full` as a decode at `version` gives it: fields the version lacks take their defaults, nested
 * structs and arrays of structs likewise. `full` names the fields of every version.
 */
export function shapeAt(
  schema: MessageSchema<unknown>,
  version: number,
  full: Record<string, unknown>,
): Record<string, unknown> {
  const walk = (fields: readonly AnyField[], o: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const fd of fields) {
      if (!within(fd.versions, version) || !(fd.name in o)) {
        out[fd.name] = defaultOf(fd);
        continue;
      }
      const v = o[fd.name];
      if (v !== null && fd.type.kind === 'struct') out[fd.name] = walk(fd.type.fields, v as Record<string, unknown>);
      else if (v !== null && fd.type.kind === 'array' && fd.type.of.kind === 'struct') {
        const sf = fd.type.of.fields;
        out[fd.name] = (v as Record<string, unknown>[]).map((e) => walk(sf, e));
      } else out[fd.name] = v;
    }
    return out;
  };
  return walk(schema.fields, full);
}
