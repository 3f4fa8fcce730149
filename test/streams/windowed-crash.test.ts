/**
 * A windowed, suppressed count exactly-once under SIGKILL on the embedded log: killed twice here
 * (the interop suite's `streams-windowed-crash.test.ts` kills it ten times). See
 * `windowed-crash-scenario.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectExactlyOnce, runWindowedCrashScenario } from './windowed-crash-scenario.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('windowed suppressed count under SIGKILL (exactly_once_v2, embedded log)', () => {
  it('emits every closed window exactly once with its final count across 2 SIGKILLs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trib-windowed-eos-'));
    dirs.push(dataDir);
    const result = await runWindowedCrashScenario({ dataDir, kills: 2, seed: 3 });
    expect(result.progress[0]).toBeGreaterThan(0);
    expect(result.clicks).toBeGreaterThan(result.progress[0]!);
    expect(result.expected.size).toBeGreaterThan(10);
    expectExactlyOnce(result);
  }, 60_000);
});
