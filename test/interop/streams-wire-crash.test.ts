/**
 * WordCount exactly-once over the wire, its Streams instance (a child process) SIGKILLed ten times at
 * random while input is still produced, against `trib serve` in another process. The final counts
 * in the output topic (read_committed) and in the store equal a plain count of the input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWireCrashScenario } from '../streams/wire-crash-scenario.ts';
import { startTribServe, type TribServe } from './broker/trib-serve.ts';

describe('WordCount over the wire, 10 SIGKILLs (trib serve)', () => {
  let server: TribServe;
  let stateDir: string;
  beforeAll(async () => {
    server = await startTribServe({ args: ['--group-initial-rebalance-delay-ms', '0'] });
    stateDir = mkdtempSync(join(tmpdir(), 'trib-wire-crash10-state-'));
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('should count every word exactly once across 10 SIGKILLs of the instance', async () => {
    const result = await runWireCrashScenario({
      brokers: [server.bootstrap],
      stateDir,
      kills: 10,
      seed: 17,
      sessionTimeoutMs: 6000,
    });
    if (process.env.TRIBUTARY_REPORT) console.log('lines', result.lines, 'committed after each kill', result.progress);
    expect(result.progress[0]).toBeGreaterThan(0);
    expect(result.progress.at(-1)).toBeGreaterThan(result.progress[0]!);
    expect(Object.fromEntries(result.topic)).toEqual(Object.fromEntries(result.expected));
    expect(Object.fromEntries(result.store)).toEqual(Object.fromEntries(result.expected));
  }, 300_000);
});
