/**
 * The windowed, suppressed count exactly-once under ten SIGKILLs on the embedded log (npm test's
 * `test/streams/windowed-crash.test.ts` kills it twice). See `test/streams/windowed-crash-scenario.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectExactlyOnce, runWindowedCrashScenario } from '../streams/windowed-crash-scenario.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('windowed suppressed count under 10 SIGKILLs (exactly_once_v2, embedded log)', () => {
  it('emits every closed window exactly once with its final count', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trib-windowed-eos-10-'));
    dirs.push(dataDir);
    const result = await runWindowedCrashScenario({ dataDir, kills: 10, seed: 17 });
    for (let i = 1; i < result.progress.length; i++)
      expect(result.progress[i]).toBeGreaterThanOrEqual(result.progress[i - 1]!);
    expect(result.progress[0]).toBeGreaterThan(0);
    expect(result.expected.size).toBeGreaterThan(50);
    expectExactlyOnce(result);
  }, 120_000);
});
