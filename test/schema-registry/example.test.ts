import { describe, expect, it } from 'vitest';
import { main } from '../../examples/schema-registry/main.ts';

describe('examples/schema-registry', () => {
  it('should serve, refuse a bad batch and read old records with v2 when run', async () => {
    const result = await main({ quiet: true });
    expect(result.read).toEqual([
      { id: 1, email: '' },
      { id: 2, email: '' },
    ]);
    expect(result.refused).toContain('/id');
    expect(result.subjects).toEqual(['users-value']);
    expect(result.versions).toEqual([1, 2]);
  });
});
