import { describe, expect, it } from 'vitest';
import { Bytes } from '../../../src/streams/state/bytes.ts';

describe('Bytes', () => {
  it('should give the same bytes and id whichever it was made from', () => {
    const bytes = new Uint8Array([0, 1, 0x7f, 0x80, 0xff]);
    const fromBytes = new Bytes(bytes);
    const fromId = Bytes.fromId(fromBytes.id);
    expect(fromId.id).toBe(fromBytes.id);
    expect([...fromId.bytes]).toEqual([...bytes]);
    // Longer than the char-by-char path.
    const long = Uint8Array.from({ length: 100 }, (_, i) => (i * 37) & 0xff);
    expect([...Bytes.fromId(new Bytes(long).id).bytes]).toEqual([...long]);
  });

  it('should hand out passing bytes made from the id without keeping them, and the kept bytes when there are some', () => {
    const key = Bytes.fromId('user-1\u0000\u0000\u0001\u00ff');
    const first = key.passingBytes;
    const second = key.passingBytes;
    expect([...first]).toEqual([0x75, 0x73, 0x65, 0x72, 0x2d, 0x31, 0, 0, 1, 0xff]);
    expect(second).not.toBe(first);
    expect([...second]).toEqual([...first]);
    // Not kept: the key's own bytes are made when asked, apart from what was passed.
    const kept = key.bytes;
    expect(kept).not.toBe(first);
    expect(key.bytes).toBe(kept);
    // Once kept (or given at construction) they are what passes.
    expect(key.passingBytes).toBe(kept);
    const given = new Uint8Array([1, 2, 3]);
    expect(new Bytes(given).passingBytes).toBe(given);
  });
});
