/**
 * The command line that starts one of the programs the tests run as child processes: its bundle
 * from this run's global setup ({@link ./bundles.ts}), or its TypeScript source through tsx when
 * the run has no bundles.
 */
import { join, relative, resolve } from 'node:path';
import { inject } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');

/** The programs bundled once per run (absolute paths of their sources). */
export const BUNDLED = [
  'src/cli/trib.ts',
  'test/log/fixtures/crash-writer.ts',
  'test/log/fixtures/damage-opener.ts',
  'test/streams/fixtures/wordcount-child.ts',
  'test/streams/fixtures/windowed-count-child.ts',
  'test/streams/fixtures/wire-wordcount-child.ts',
  'test/client/fixtures/eos-worker.ts',
  'test/client/fixtures/service-worker.ts',
  'test/broker/security/attacker.ts',
].map((file) => join(ROOT, file));

/** `node`'s arguments that run `source` (an absolute path of a .ts file), bundled when it can be. */
export function nodeArgs(source: string): string[] {
  const bundles = inject('bundles');
  if (bundles !== undefined && BUNDLED.includes(source))
    return [join(bundles, relative(ROOT, source).replace(/\.ts$/, '.js'))];
  return ['--import', 'tsx', source];
}
