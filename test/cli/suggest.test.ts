import { describe, expect, it } from 'vitest';
import { parseOffsetSpec, parseTime } from '../../src/cli/offsets.ts';
import { closest, editDistance } from '../../src/cli/suggest.ts';

describe('closest', () => {
  const lines = ['topics', 'topics create', 'topics list', 'produce', 'consume', 'groups', 'groups reset', 'schemas'];
  it.each([
    ['topcis', 'topics'],
    ['topic create', 'topics create'],
    ['prodcue', 'produce'],
    ['consumer', 'consume'],
    ['group reset', 'groups reset'],
    ['schema', 'schemas'],
    ['top', 'topics'],
  ])('should take %s for %s', (typed, meant) => {
    expect(closest(typed, lines)).toBe(meant);
  });

  it('should suggest nothing for a word that is far from every candidate', () => {
    expect(closest('xyz', lines)).toBeUndefined();
    expect(closest('delete-everything', lines)).toBeUndefined();
  });

  it('should count a transposition as one edit', () => {
    expect(editDistance('craete', 'create')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('--offset', () => {
  it.each([
    ['beginning', { kind: 'beginning' }],
    ['earliest', { kind: 'beginning' }],
    ['end', { kind: 'end' }],
    ['latest', { kind: 'end' }],
    ['42', { kind: 'absolute', offset: 42 }],
    ['-3', { kind: 'fromEnd', count: 3 }],
    ['@1700000000000', { kind: 'timestamp', ms: 1_700_000_000_000 }],
    ['@2026-01-31T12:00:00Z', { kind: 'timestamp', ms: Date.UTC(2026, 0, 31, 12) }],
  ])('should read %s', (raw, spec) => {
    expect(parseOffsetSpec(raw)).toEqual(spec);
  });

  it.each(['1.5', 'soon', '@yesterday', '', '--3'])('should refuse %j as a usage error', (raw) => {
    expect(() => parseOffsetSpec(raw)).toThrow(/--offset/);
  });

  it('should read times as epoch milliseconds or ISO dates only', () => {
    expect(parseTime('0', '--to-datetime')).toBe(0);
    expect(() => parseTime('next week', '--to-datetime')).toThrow(/ISO date/);
  });
});
