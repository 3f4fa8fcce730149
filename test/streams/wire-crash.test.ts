/**
 * WordCount exactly-once over the wire under SIGKILL: `trib serve` in one child process, the Streams
 * instance in another, killed twice at random while input is still produced (the interop suite's
 * `streams-wire-crash.test.ts` kills it ten times). See `wire-crash-scenario.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTribServe, type TribServe } from '../interop/broker/trib-serve.ts';
import { runWireCrashScenario } from './wire-crash-scenario.ts';

describe('WordCount over the wire under SIGKILL', () => {
  let server: TribServe;
  let stateDir: string;
  beforeAll(async () => {
    server = await startTribServe({ args: ['--group-initial-rebalance-delay-ms', '0'] });
    stateDir = mkdtempSync(join(tmpdir(), 'trib-wire-crash-state-'));
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('should count every word exactly once across 2 SIGKILLs of the instance (trib serve in another process)', async () => {
    const result = await runWireCrashScenario({
      brokers: [server.bootstrap],
      stateDir,
      kills: 2,
      seed: 5,
      sessionTimeoutMs: 6000,
    });
    expect(result.lines).toBeGreaterThan(300);
    // Each instance got somewhere before it was killed: the kills hit a running app.
    expect(result.progress[0]).toBeGreaterThan(0);
    expect(result.progress[1]).toBeGreaterThanOrEqual(result.progress[0]!);
    expect(result.lines).toBeGreaterThan(result.progress[1]!);
    expect(Object.fromEntries(result.topic)).toEqual(Object.fromEntries(result.expected));
    expect(Object.fromEntries(result.store)).toEqual(Object.fromEntries(result.expected));
  }, 120_000);
});
