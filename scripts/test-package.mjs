// `npm run test:package`: the package as a user installs it. Run by .ci/run (not by `npm test`).
//
// Packs the tarball (`npm pack`, which builds dist/ through `prepack`), checks what it holds, installs
// it into a fresh project in a temporary directory (dependencies from npm's cache where it has them)
// and there: imports it as ESM, requires it from CommonJS, type-checks a program with this
// repository's tsc under NodeNext and bundler resolution, strict, with and without skipLibCheck, runs
// `npx trib --help` and a topic created, produced to and consumed with `npx trib`, and bundles a
// program with esbuild and runs the bundle. Then it runs the same
// programs, the CLI and the bundle on Node 22 and 24 too (binaries from npm, scripts/node-binaries.mjs;
// TRIBUTARY_PACKAGE_NODES="" skips them): `require()` of ES modules differs between Node lines. The
// programs it runs are in test/package/. Each check prints one line; the first failure stops it with
// exit code 1.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from './node-binaries.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(root, 'test', 'package');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const work = mkdtempSync(join(tmpdir(), 'tributary-package-test-'));
const keep = process.env.KEEP_PACKAGE_TEST === '1';
const started = performance.now();

function run(command, args, cwd, options = {}) {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  } catch (err) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

function check(name, fn) {
  const t = performance.now();
  fn();
  console.log(`ok - ${name} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
}

try {
  // 1. The tarball.
  let tarball;
  check('npm pack builds dist/ and packs it', () => {
    const out = run('npm', ['pack', '--json', '--pack-destination', work], root);
    const [info] = JSON.parse(out.slice(out.search(/^\[/m))); // after the prepack build's own output
    tarball = join(work, info.filename);
    const files = info.files.map((f) => f.path);
    const must = [
      'package.json',
      'bin/trib.js',
      'dist/esm/index.js',
      'dist/src/index.d.ts',
      'dist/esm/testing.js',
      'dist/src/streams/testing/index.d.ts',
      'dist/esm/schema-registry.js',
      'dist/schema-registry/index.d.ts',
      'dist/esm/console.js',
      'dist/esm/ui/index.html',
      'dist/esm/trib.js',
    ];
    for (const f of must) if (!files.includes(f)) throw new Error(`the tarball lacks ${f}`);
    const stray = files.filter(
      (f) =>
        !(
          f.startsWith('dist/') ||
          f.startsWith('bin/') ||
          ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(f)
        ),
    );
    if (stray.length > 0)
      throw new Error(`the tarball holds files users do not need: ${stray.slice(0, 10).join(', ')}`);
    const sources = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    if (sources.length > 0) throw new Error(`the tarball holds TypeScript sources: ${sources.slice(0, 5).join(', ')}`);
    console.log(
      `     ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} kB packed, ${(info.unpackedSize / 1024).toFixed(0)} kB unpacked`,
    );
  });

  // 2. A fresh project that installs it (type: module; CommonJS files are .cjs/.cts).
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }, null, 2),
  );
  const typesNode = JSON.parse(
    readFileSync(join(root, 'node_modules', '@types', 'node', 'package.json'), 'utf8'),
  ).version;
  check('npm install <tarball> into a fresh project, with no engine warnings', () => {
    const out = run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=warn',
        tarball,
        `@types/node@${typesNode}`,
      ],
      app,
    );
    if (/EBADENGINE/.test(out)) throw new Error(`npm install warned about engines:\n${out}`);
  });
  for (const f of ['esm.mjs', 'cjs.cjs', 'app.ts', 'app.cts', 'bundle-entry.mjs'])
    copyFileSync(join(fixtures, f), join(app, f));

  // 3. Running it.
  check('ESM: import tributary, tributary/testing, tributary/schema-registry, tributary/console and use them', () => {
    const out = run(process.execPath, ['esm.mjs'], app);
    if (!out.includes('esm: ok')) throw new Error(out);
  });
  check('CommonJS: require() of every entry point', () => {
    const out = run(process.execPath, ['cjs.cjs'], app);
    if (!out.includes('cjs: ok')) throw new Error(out);
  });
  check('npx trib --help runs on plain node', () => {
    const out = run('npx', ['--no-install', 'trib', '--help'], app);
    if (!out.includes('Usage: trib')) throw new Error(out);
  });
  check('npx trib: create a topic, produce and consume it (the bundled CLI)', () => {
    const dir = join(work, 'trib-data');
    const trib = (args, input) =>
      run(
        'npx',
        ['--no-install', 'trib', ...args, '--data-dir', dir],
        app,
        input === undefined ? {} : { input, stdio: ['pipe', 'pipe', 'pipe'] },
      );
    trib(['topics', 'create', 'greetings', '--partitions', '1', '--create']);
    trib(['produce', 'greetings', '-K', ':'], 'k1:hello\nk2:world\n');
    const out = trib(['consume', 'greetings', '--offset', 'beginning', '--exit-at-end', '-K', ':']);
    if (!out.includes('k1:hello') || !out.includes('k2:world')) throw new Error(out);
  });

  // 4. Type-checking a program against the installed declarations.
  const configs = {
    'NodeNext, strict': { module: 'NodeNext', moduleResolution: 'NodeNext' },
    'bundler, strict': { module: 'Preserve', moduleResolution: 'bundler' },
  };
  for (const [label, resolution] of Object.entries(configs)) {
    for (const skipLibCheck of [true, false]) {
      const name = `tsconfig.${resolution.moduleResolution.toLowerCase()}.${skipLibCheck ? 'skip' : 'full'}.json`;
      const files = resolution.moduleResolution === 'NodeNext' ? ['app.ts', 'app.cts'] : ['app.ts'];
      const compilerOptions = {
        ...resolution,
        target: 'ES2022',
        strict: true,
        skipLibCheck,
        noEmit: true,
        types: ['node'],
      };
      writeFileSync(join(app, name), JSON.stringify({ compilerOptions, files }, null, 2));
      check(`tsc: ${label}, skipLibCheck ${skipLibCheck} (${files.join(', ')})`, () => {
        run(bin('tsc'), ['-p', name], app);
      });
    }
  }

  // 5. A bundle.
  check('esbuild bundles a program using the package, and the bundle runs', () => {
    // Native addons (and the zstd wasm, which loads its .wasm file beside it) stay outside the bundle,
    // as with every bundler; the rest is bundled. The banner is
    // esbuild's usual one for ES-module output: CommonJS dependencies (avsc, fastify) require Node's
    // built-ins, and an ES module has no `require` of its own.
    const banner =
      "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);";
    const args = [
      'bundle-entry.mjs',
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--outfile=bundle/out.mjs',
      '--log-level=warning',
    ];
    const natives = ['classic-level', '@node-rs/crc32', 'snappy', 'lz4-napi', '@bokuweb/zstd-wasm'];
    run(bin('esbuild'), [...args, ...natives.map((name) => `--external:${name}`), `--banner:js=${banner}`], app);
    const out = run(process.execPath, ['bundle/out.mjs'], app);
    if (!out.includes('bundle: ok')) throw new Error(out);
  });

  // 6. The same on the other supported Node lines.
  for (const major of (process.env.TRIBUTARY_PACKAGE_NODES ?? '22 24').split(/\s+/).filter(Boolean)) {
    const node = nodeBinary(major);
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    check(`Node ${version}: ESM import, CommonJS require, trib --help, the bundle`, () => {
      const outputs = [
        run(node, ['esm.mjs'], app),
        run(node, ['cjs.cjs'], app),
        run(node, [join('node_modules', 'tributary', 'bin', 'trib.js'), '--help'], app),
        run(node, ['bundle/out.mjs'], app),
      ].join('');
      for (const expected of ['esm: ok', 'cjs: ok', 'Usage: trib', 'bundle: ok']) {
        if (!outputs.includes(expected)) throw new Error(`no "${expected}" in:\n${outputs}`);
      }
    });
  }
  console.log(`package test: all checks passed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
