import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('examples/quickstart', () => {
  it('should produce keyed records and print them back with partitions and offsets', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/quickstart/main.ts'], {
      encoding: 'utf8',
    });
    expect(out).toContain('produced  alice  → partition 0 offset 0');
    expect(out).toContain('partition 2 offset 0  carol: good morning');
    expect(out.match(/^partition \d offset \d/gm)).toHaveLength(5);
  });
});
