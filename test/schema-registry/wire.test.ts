import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/index.ts';
import { encodeIndexes, frame, unframe } from '../../schema-registry/serdes/wire.ts';

describe("Confluent's wire format", () => {
  it('should write magic byte 0 and the id big-endian when framing', () => {
    const bytes = frame(0x01020304, Uint8Array.of(9, 9));
    expect([...bytes]).toEqual([0, 1, 2, 3, 4, 9, 9]);
    const { schemaId, messageIndexes, payload } = unframe(bytes, false);
    expect({ schemaId, messageIndexes, payload: [...payload] }).toEqual({ schemaId: 0x01020304, messageIndexes: undefined, payload: [9, 9] });
  });

  it.each([
    [[0], [0]],
    [[1], [2, 2]],
    [[0, 0], [4, 0, 0]],
    [[1, 0], [4, 2, 0]],
    [[2, 5, 1], [6, 4, 10, 2]],
    [[70], [2, 140, 1]],
  ])('should write message indexes %j as zigzag varints %j', (indexes, expected) => {
    expect([...encodeIndexes(indexes)]).toEqual(expected);
    const framed = frame(7, Uint8Array.of(0x0a), indexes);
    expect(unframe(framed, true).messageIndexes).toEqual(indexes);
    expect([...unframe(framed, true).payload]).toEqual([0x0a]);
  });

  it('should read [0] when the indexes come in the long form [1, 0]', () => {
    const bytes = Uint8Array.of(0, 0, 0, 0, 7, 2, 0, 0x08, 0x01);
    expect(unframe(bytes, true)).toMatchObject({ schemaId: 7, messageIndexes: [0] });
    expect([...unframe(bytes, true).payload]).toEqual([0x08, 0x01]);
  });

  it.each([
    ['too short', Uint8Array.of(0, 0, 0)],
    ['a wrong magic byte', Uint8Array.of(1, 0, 0, 0, 1, 0)],
    ['truncated indexes', Uint8Array.of(0, 0, 0, 0, 1, 4, 0)],
    ['a negative index count', Uint8Array.of(0, 0, 0, 0, 1, 1)],
  ])('should throw SERIALIZATION_ERROR when the bytes are %s', (_what, bytes) => {
    try {
      unframe(bytes, true);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TributaryError);
      expect((err as TributaryError).code).toBe('SERIALIZATION_ERROR');
    }
  });
});
