import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLI_DOCS, cliReference } from '../../src/cli/docs.ts';

describe('docs/cli.md', () => {
  it('should match the help the commands print, so that npm run docs:cli has nothing to change', async () => {
    const generated = await cliReference();
    expect(generated).toContain('## trib topics create');
    expect(generated).toContain('## trib groups reset');
    expect(await readFile(CLI_DOCS, 'utf8')).toBe(generated);
  });
});
