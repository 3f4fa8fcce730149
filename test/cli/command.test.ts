import { describe, expect, it } from 'vitest';
import { positiveInt, UsageError } from '../../src/cli/command.ts';

describe('positiveInt', () => {
  it.each(['0', '16', '1000'])('should take the decimal number %s', (value) => {
    expect(positiveInt(value, '--partitions')).toBe(Number(value));
  });

  it.each(['0x10', '1e3', '0b11', '-1', '1.5', '', ' 2', 'x'])(
    'should refuse %j as a usage error instead of reading it as a number',
    (value) => {
      expect(() => positiveInt(value, '--partitions')).toThrow(UsageError);
    },
  );
});
