/**
 * Recursive JSON Schemas whose unions refer back to themselves, from Confluent's
 * CircularRefSchemaDiffTest and SchemaDiffTest (testRecursiveOneOfUnion…): the compatibility check
 * must end quickly (it runs on the registry's only thread) and still find a change deep inside.
 */
import { describe, expect, it } from 'vitest';
import { REST_ERRORS } from '../../schema-registry/errors.ts';
import { jsonFormat } from '../../schema-registry/formats/json.ts';
import { MAX_STEPS } from '../../schema-registry/formats/json-compatibility.ts';
import { caught } from './helpers.ts';

/** 2020-12: Product is a oneOf of types, each with properties referring to ProductOrId → Product. */
function circularSchema(branches: number, circularProps: number, extraInLast = false): string {
  const defs: Record<string, unknown> = {
    SimpleId: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    Base: { type: 'object', properties: { name: { type: 'string' } } },
    ProductOrId: { oneOf: [{ $ref: '#/$defs/SimpleId' }, { $ref: '#/$defs/Product' }] },
  };
  for (let i = 0; i < branches; i++) {
    const properties: Record<string, unknown> = {};
    for (let p = 0; p < circularProps; p++) properties[`ref${p}`] = { $ref: '#/$defs/ProductOrId' };
    properties['tag'] = { type: 'string', const: `type${i}` };
    if (extraInLast && i === branches - 1) properties['extra'] = { type: 'integer' };
    defs[`Type${i}`] = { $ref: '#/$defs/Base', type: 'object', properties, required: ['ref0', 'tag'] };
  }
  defs['Product'] = { oneOf: Array.from({ length: branches }, (_, i) => ({ $ref: `#/$defs/Type${i}` })) };
  return JSON.stringify({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $defs: defs,
    $ref: '#/$defs/Product',
  });
}

/** draft-07: a trade whose product is a oneOf of twelve types, each referring to the union twice. */
function tradeSchema(assetIdType = 'string'): string {
  const types = ['Asset', 'Basket', 'Swap', 'Bond', 'Option', 'Future', 'Forward', 'Loan', 'Repo', 'Equity', 'Index'];
  types.push('CommodityLeg');
  const union = () => ({ oneOf: types.map((t) => ({ $ref: `#/definitions/${t}` })) });
  const definitions = Object.fromEntries(
    types.map((t) => [
      t,
      {
        type: 'object',
        properties: {
          id: { type: t === 'Asset' ? assetIdType : 'string' },
          underlying: union(),
          referenceProduct: union(),
        },
      },
    ]),
  );
  return JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Trade',
    type: 'object',
    additionalProperties: true,
    definitions,
    properties: { tradeId: { type: 'string' }, product: union() },
  });
}

const check = (reader: string, writer: string) =>
  jsonFormat.checkCompatibility(jsonFormat.parse(reader), jsonFormat.parse(writer));

function timed<T>(fn: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

describe('recursive unions', () => {
  it.each([
    [2, 1],
    [12, 5],
    [40, 5],
  ])('should compare a schema of %i branches x %i circular properties with itself quickly', (branches, props) => {
    const schema = circularSchema(branches, props);
    const { result, ms } = timed(() => check(schema, schema));
    expect(result).toEqual([]);
    expect(ms).toBeLessThan(10_000);
  });

  it('should find a property added deep in a recursive union, quickly', () => {
    const { result, ms } = timed(() => check(circularSchema(12, 5, true), circularSchema(12, 5)));
    expect(result.length).toBeGreaterThan(0);
    expect(result.map((issue) => issue.kind)).toContain('SUM_TYPE_NARROWED');
    expect(ms).toBeLessThan(10_000);
  });

  it('should end and find nothing when the trade schema is compared with itself (testRecursiveOneOfUnionTerminates)', () => {
    const { result, ms } = timed(() => check(tradeSchema(), tradeSchema()));
    expect(result).toEqual([]);
    expect(ms).toBeLessThan(10_000);
  });

  it('should find a type changed inside one union branch (testRecursiveOneOfUnionDetectsIncompatibleChange)', () => {
    // Eleven reader branches still accept eleven writer branches; the writer's Asset has none left.
    const { result, ms } = timed(() => check(tradeSchema('number'), tradeSchema()));
    expect(result.map((issue) => issue.kind)).toContain('SUM_TYPE_NARROWED');
    expect(ms).toBeLessThan(10_000);
  });

  it('should refuse with REGISTRY_OPERATION_TIMEOUT (50002) a check built to explode, instead of blocking the registry', () => {
    // Unions inside products inside unions, ten levels deep (62 KB): each level doubles the pairs.
    let writer: unknown = { type: 'string' };
    let reader: unknown = { type: 'integer' };
    for (let depth = 0; depth < 10; depth++) {
      writer = { allOf: [writer, { anyOf: [writer, { type: 'integer' }] }] };
      reader = { anyOf: [reader, { allOf: [reader, { type: 'number' }] }] };
    }
    const err = caught(() => check(JSON.stringify(reader), JSON.stringify(writer)));
    expect(err.code).toBe('REGISTRY_OPERATION_TIMEOUT');
    expect(err.message).toContain(String(MAX_STEPS));
    expect(REST_ERRORS.REGISTRY_OPERATION_TIMEOUT).toEqual({ status: 500, errorCode: 50002 });
  });
});
