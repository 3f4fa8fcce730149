import { defineConfig } from 'vitest/config';

export default defineConfig({
  // `import 'tributary'` in examples and tests means the TypeScript sources (tsconfig.json `paths`),
  // not package.json's `exports`, which name the compiled dist/ that users get.
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts'],
    // Needs Java, Maven or other processes: `npm run test:interop` (vitest.interop.config.ts).
    exclude: ['test/interop/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The CLI and the crash tests' child programs, bundled once per run (test/setup/bundles.ts).
    globalSetup: ['test/setup/bundles.ts'],
    // In CI a JSON report as well, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-report.json' },
  },
});
