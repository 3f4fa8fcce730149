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
import { plainCount } from '../../examples/wordcount/wordcount.ts';
import { Tributary } from '../../src/index.ts';
import {
  createWordCountTopics,
  feedLines,
  finishWordCount,
  runWireCrashScenario,
  startStreamsChild,
} from './wire-crash-scenario.ts';

/** Retries an assertion until it holds (work in other processes), up to `ms`. */
async function eventually(check: () => unknown, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

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

  it('should share the tasks between instances in two processes and hand them over on rebalance', async () => {
    const server2 = await startTribServe({ args: ['--group-initial-rebalance-delay-ms', '0'] });
    const brokers = [server2.bootstrap];
    const tributary = new Tributary({ brokers, logLevel: 0 });
    const common = { brokers, applicationId: 'two-processes', sessionTimeoutMs: 6000 };
    try {
      await createWordCountTopics(tributary);
      const feed = feedLines(tributary);
      const a = await startStreamsChild({ ...common, stateDir: join(stateDir, 'p-a'), readyWhen: 'all' });
      const b = await startStreamsChild({ ...common, stateDir: join(stateDir, 'p-b'), readyWhen: 'any' });
      // The second instance's join rebalances: A gives up tasks (committing them), B takes them.
      await eventually(() => {
        expect(b.tasks().length).toBeGreaterThan(0);
        expect(a.tasks().length).toBeGreaterThan(0);
        expect([...a.tasks(), ...b.tasks()].sort()).toEqual(['0_0', '0_1', '0_2', '1_0', '1_1', '1_2']);
      }, 30_000);
      // A closes cleanly (SIGTERM): it commits, leaves, and B runs every task from A's commits.
      expect(await a.stop()).toBe(0);
      await eventually(() => expect(b.tasks().length).toBe(6), 30_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await feed.stop();
      expect(await b.stop()).toBe(0);
      const { topic, store } = await finishWordCount({ ...common, stateDir: join(stateDir, 'p-final') });
      const expected = Object.fromEntries(plainCount(feed.sent));
      expect(Object.fromEntries(topic)).toEqual(expected);
      expect(Object.fromEntries(store)).toEqual(expected);
    } finally {
      await tributary.close();
      await server2.dispose();
    }
  }, 120_000);
});
