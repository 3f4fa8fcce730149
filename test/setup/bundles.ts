/**
 * vitest's global setup (vitest.config.ts, vitest.interop.config.ts): bundles the programs the tests
 * start as child processes — the `trib` CLI and the fixtures that crash tests SIGKILL — once per test
 * run, with esbuild, from the TypeScript sources of this checkout. Started through tsx, each child
 * spent about 1.3 s loading some 300 modules through the loader's hooks before doing anything (the
 * CLI tests start over a hundred, the crash tests one per kill); a bundle starts in about 0.4 s, as
 * the installed package's `trib` does (it is the same kind of bundle). The examples keep running
 * through tsx, as `npm start` runs them.
 *
 * The bundles go under node_modules/.cache (so the packages they leave outside, LevelDB among them,
 * resolve from the checkout's node_modules), in a directory of this run's own, removed at its end.
 * {@link nodeArgs} gives the tests the command line of one program, bundled or (in a run without
 * this setup) through tsx.
 */
import { cpSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { BUNDLED, ROOT } from './node-args.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where this run's bundles are: `<dir>/<source path without .ts>.js`. */
    bundles: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = join(ROOT, 'node_modules', '.cache', 'tributary-tests', String(process.pid));
  rmSync(dir, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(BUNDLED.map((file) => [relative(ROOT, file).replace(/\.ts$/, ''), file])),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    outdir: dir,
    logLevel: 'warning',
  });
  // The console's page sits beside the module that serves it (src/console/app.ts reads `./ui`): in
  // the bundle, a chunk at the top of the directory, as in the package's dist/esm/.
  cpSync(join(ROOT, 'src', 'console', 'ui'), join(dir, 'ui'), { recursive: true });
  project.provide('bundles', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
