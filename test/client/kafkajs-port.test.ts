import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DIR = join(ROOT, 'examples/kafkajs-port');

describe('examples/kafkajs-port', () => {
  it('should differ from the kafkajs original in the import and the constructor only', async () => {
    const original = (await readFile(join(DIR, 'original.ts'), 'utf8')).split('\n');
    const app = (await readFile(join(DIR, 'app.ts'), 'utf8')).split('\n');
    expect(app).toHaveLength(original.length);
    const changed = app.map((line, i) => [original[i], line] as const).filter(([a, b]) => a !== b);
    expect(changed).toHaveLength(2);
    expect(changed[0]![1]).toMatch(/^import \{ Tributary, logLevel \} from 'tributary';$/);
    expect(changed[1]![1]).toMatch(/^const kafka = new Tributary\(/);
  });

  it('should total every order when the ported program runs on Tributary', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trib-port-'));
    try {
      const output = await new Promise<string>((done, fail) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(DIR, 'app.ts')], {
          cwd: ROOT,
          env: { ...process.env, DATA_DIR: dataDir },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`exit ${code}: ${err}`))));
      });
      const totals = Object.fromEntries([...output.matchAll(/(\w+): (\d+)/g)].map((m) => [m[1], Number(m[2])]));
      const expected: Record<string, number> = {};
      const customers = ['ada', 'brian', 'cleo', 'dmitri', 'eve'];
      for (let i = 0; i < 100; i++) expected[customers[i % 5]!] = (expected[customers[i % 5]!] ?? 0) + (i % 7) + 1;
      expect(totals).toEqual(expected);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
