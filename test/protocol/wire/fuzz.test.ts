/**
 * Bounded fuzzing of every codec: random frames, and valid frames truncated, with bytes overwritten,
 * with 0xff runs (lying lengths) or with bytes inserted, must decode or fail with a TributaryError,
 * never with anything else (a RangeError, a huge allocation, a hang).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../../src/errors.ts';
import { ALL_APIS } from '../../../src/protocol/messages/index.ts';
import { decodeRequestHeader } from '../../../src/protocol/wire/header.ts';
import type { MessageSchema } from '../../../src/protocol/wire/schema.ts';
import { sampleMessage } from '../messages/arbitrary.ts';

function onlyTributaryErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof TributaryError)) throw e;
    expect(['CORRUPT_MESSAGE', 'INVALID_REQUEST']).toContain(e.code);
  }
}

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'lie'; at: number; len: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('lie' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 5 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
);

function mutate(bytes: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(bytes);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'truncate') b = b.subarray(0, at);
    else if (m.kind === 'set') {
      if (b.length > 0) b[at] = m.byte;
    } else if (m.kind === 'lie') b.fill(0xff, at, Math.min(b.length, at + m.len));
    else b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
  }
  return b;
}

describe('fuzzing the codecs', () => {
  it('should answer random bytes with a TributaryError or a value, for every API and version', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_APIS),
        fc.nat(),
        fc.boolean(),
        fc.uint8Array({ maxLength: 200 }),
        (api, vn, req, bytes) => {
          const v = api.minVersion + (vn % (api.maxVersion - api.minVersion + 1));
          const buf = Buffer.from(bytes);
          onlyTributaryErrors(() => (req ? api.decodeRequest(v, buf) : api.decodeResponse(v, buf)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('should answer mutated valid bodies with a TributaryError or a value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_APIS),
        fc.nat(),
        fc.boolean(),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (api, vn, req, muts) => {
          const v = api.minVersion + (vn % (api.maxVersion - api.minVersion + 1));
          const schema = (req ? api.request : api.response) as MessageSchema<unknown>;
          const valid = schema.encode(v, sampleMessage(schema, v));
          const buf = mutate(valid, muts);
          onlyTributaryErrors(() => schema.decode(v, buf));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('should answer random and mutated request headers with a TributaryError or a header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        onlyTributaryErrors(() => decodeRequestHeader(Buffer.from(bytes)));
      }),
      { numRuns: 2000 },
    );
  });

  it('should refuse a lying array count before allocating for it', () => {
    const api = ALL_APIS.find((a) => a.name === 'Metadata')!;
    // Metadata v1 request: an array of 2^31-1 topics in a 4-byte frame.
    expect(() => api.decodeRequest(1, Buffer.from('7fffffff', 'hex'))).toThrowError(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
    // Metadata v9: a compact array of 2^32-2 topics.
    expect(() => api.decodeRequest(9, Buffer.from('ffffffff0f', 'hex'))).toThrowError(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });
});
