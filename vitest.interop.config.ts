import { defineConfig } from 'vitest/config';

/**
 * The interop suite: Tributary against real Kafka (Maven Central's jars on Java 17) and against
 * `trib serve` in another process. Needs Java and Maven, so it is kept out of `npm test`.
 * One file at a time: each starts JVMs, and the machine has two cores.
 */
export default defineConfig({
  // `import 'tributary'` (examples, shared scenarios) means the TypeScript sources, as in vitest.config.ts.
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // The CLI and the crash tests' child programs, bundled once per run (test/setup/bundles.ts).
    globalSetup: ['test/setup/bundles.ts'],
    fileParallelism: false,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-interop-report.json' },
  },
});
