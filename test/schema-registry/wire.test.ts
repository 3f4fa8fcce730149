import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/index.ts';
import { avroFormat } from '../../schema-registry/formats/avro.ts';
import { framedDecoder, framedEncoder } from '../../schema-registry/serdes/framed.ts';
import { commonPayloadOffset, encodeIndexes, frame, unframe } from '../../schema-registry/serdes/wire.ts';

describe("Confluent's wire format", () => {
  it('should write magic byte 0 and the id big-endian when framing', () => {
    const bytes = frame(0x01020304, Uint8Array.of(9, 9));
    expect([...bytes]).toEqual([0, 1, 2, 3, 4, 9, 9]);
    const { schemaId, messageIndexes, payload } = unframe(bytes, false);
    expect({ schemaId, messageIndexes, payload: [...payload] }).toEqual({
      schemaId: 0x01020304,
      messageIndexes: undefined,
      payload: [9, 9],
    });
  });

  it.each([
    [[0], [0]],
    [[1], [2, 2]],
    [
      [0, 0],
      [4, 0, 0],
    ],
    [
      [1, 0],
      [4, 2, 0],
    ],
    [
      [2, 5, 1],
      [6, 4, 10, 2],
    ],
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
    ['starts with a field tag', [0, 0, 0, 0, 7, 0x08, 0x96, 0x01], [0x08, 0x96, 0x01]],
    ['starts with a length-delimited field', [0, 0, 0, 0, 7, 0x12, 0x02, 0x68, 0x69], [0x12, 0x02, 0x68, 0x69]],
    ['is empty (a message of defaults)', [0, 0, 0, 0, 7], []],
  ])(
    'should read a Protobuf payload written with no message indexes (the kafkajs client) as [0] when it %s',
    (_what, bytes, payload) => {
      const read = unframe(Uint8Array.from(bytes), true);
      expect(read.messageIndexes).toEqual([0]);
      expect([...(read.indexless ?? read.payload)]).toEqual(payload);
    },
  );

  it('should keep four or more indexes and offer the index-less reading beside them', () => {
    const framed = frame(7, Uint8Array.of(0x0a), [1, 0, 2, 0]);
    const read = unframe(framed, true);
    expect(read.messageIndexes).toEqual([1, 0, 2, 0]);
    expect([...read.payload]).toEqual([0x0a]);
    expect([...read.indexless!]).toEqual([8, 2, 0, 4, 0, 0x0a]);
    expect(unframe(frame(7, Uint8Array.of(0x0a), [1, 2]), true).indexless).toBeUndefined();
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

describe('the common frame a serde reads in place', () => {
  it.each([
    ['framed with the id', [0, 0, 0, 1, 2, 9], 258, false, 5],
    ['framed with the id and nothing after', [0, 0, 0, 1, 2], 258, false, 5],
    ['framed with the id and [0] as one 0 byte', [0, 0, 0, 1, 2, 0, 9], 258, true, 6],
    ['framed with the id and [0] in the long form', [0, 0, 0, 1, 2, 2, 0, 9], 258, true, -1],
    ['framed with the id and other indexes', [0, 0, 0, 1, 2, 2, 2, 9], 258, true, -1],
    ['framed with the id and no indexes', [0, 0, 0, 1, 2], 258, true, -1],
    ['framed with another id', [0, 0, 0, 1, 3, 9], 258, false, -1],
    ['framed with an id above 2^31', [0, 0xff, 0, 0, 1, 9], 0xff000001, false, 5],
    ['not framed', [1, 0, 0, 1, 2, 9], 258, false, -1],
    ['shorter than the header', [0, 0, 0, 0], 0, false, -1],
    ['empty', [], 0, false, -1],
  ])('should answer the payload offset only when the bytes are %s', (_what, bytes, id, withIndexes, expected) => {
    expect(commonPayloadOffset(Uint8Array.from(bytes), id, withIndexes)).toBe(expected);
  });
});

describe('framing around a plugin without fast paths', () => {
  // The Avro plugin with only its plain serialize and deserialize.
  const { framedEncoder: _e, framedDecoder: _d, ...plain } = avroFormat;
  const schema = avroFormat.parse(
    '{"type":"record","name":"U","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}',
  );
  const header = frame(5, new Uint8Array(0));

  it('should write and read what the fast path writes and reads when the plugin has none', () => {
    const value = { id: 3, name: 'Grace' };
    const bytes = framedEncoder(plain, schema, header).encode(value);
    expect([...bytes]).toEqual([...avroFormat.framedEncoder!(schema, header).encode(value)]);
    expect(framedDecoder(plain, schema).decode(bytes, header.length)).toEqual(value);
    expect(framedDecoder(plain, schema).decode(bytes.subarray(header.length), 0)).toEqual(value);
  });

  it('should keep the plugin typed errors when values or bytes are bad', () => {
    expect(() => framedEncoder(plain, schema, header).encode({ id: 'x', name: 'y' })).toThrow(TributaryError);
    try {
      framedDecoder(plain, schema).decode(Uint8Array.of(0, 0, 0, 0, 5, 0x80), header.length);
      expect.unreachable();
    } catch (err) {
      expect((err as TributaryError).code).toBe('SERIALIZATION_ERROR');
    }
  });
});
