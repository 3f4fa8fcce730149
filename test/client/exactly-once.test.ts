import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tributary } from '../../src/index.ts';
import { until } from './helpers.ts';
import { nodeArgs } from '../setup/node-args.ts';

const WORKER = resolve(import.meta.dirname, 'fixtures/eos-worker.ts');
const ROOT = resolve(import.meta.dirname, '../..');
const INPUTS = 300;
const PARTITIONS = 3;

/** Runs the worker; kills it with SIGKILL after `killAfter` commits (a random moment after it), or lets it finish. */
function runWorker(dataDir: string, killAfter: number | undefined): Promise<'killed' | 'finished'> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...nodeArgs(WORKER), dataDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let commits = 0;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      commits += d
        .toString()
        .split('\n')
        .filter((l) => l === 'txn').length;
      if (killAfter !== undefined && commits >= killAfter && !child.killed) {
        // A random moment: now, or after a few more turns of the child's loop.
        const delay = Math.floor(Math.random() * 3);
        if (delay === 0) child.kill('SIGKILL');
        else setImmediate(() => child.kill('SIGKILL'));
      }
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') done('killed');
      else if (code === 0) done('finished');
      else fail(new Error(`worker exited with ${code}: ${stderr}`));
    });
  });
}

describe('exactly-once', () => {
  it('should see every input exactly once and in order per partition when a consume-transform-produce loop is killed 10 times', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trib-eos-'));
    try {
      const setup = new Tributary({ dataDir, logLevel: 0 });
      const admin = setup.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          { topic: 'in', numPartitions: PARTITIONS },
          { topic: 'out', numPartitions: PARTITIONS },
        ],
      });
      const producer = setup.producer();
      await producer.connect();
      for (let i = 0; i < INPUTS; i += 5) {
        await producer.send({
          topic: 'in',
          messages: Array.from({ length: 5 }, (_, k) => ({ key: `k${(i + k) % 17}`, value: `v${i + k}` })),
        });
      }
      const inputs = new Map<number, string[]>();
      const reader = setup.consumer({ groupId: 'check-in' });
      await reader.connect();
      await reader.subscribe({ topics: ['in'], fromBeginning: true });
      let n = 0;
      await reader.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          n++;
          inputs.set(partition, [...(inputs.get(partition) ?? []), String(message.value).toUpperCase()]);
        },
      });
      await until(() => n === INPUTS, 'inputs');
      await reader.disconnect();
      await producer.disconnect();
      await admin.disconnect();

      let kills = 0;
      while (kills < 10) {
        const outcome = await runWorker(dataDir, 1 + Math.floor(Math.random() * 4));
        if (outcome === 'killed') kills++;
        else break;
      }
      expect(await runWorker(dataDir, undefined)).toBe('finished');

      const check = new Tributary({ dataDir, logLevel: 0 });
      const consumer = check.consumer({ groupId: 'check-out' }); // read_committed by default
      await consumer.connect();
      await consumer.subscribe({ topics: ['out'], fromBeginning: true });
      const outputs = new Map<number, string[]>();
      let m = 0;
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          m++;
          outputs.set(partition, [...(outputs.get(partition) ?? []), String(message.value)]);
        },
      });
      await until(() => m >= INPUTS, 'outputs');
      for (let i = 0; i < 50; i++) await new Promise<void>((r) => setImmediate(r));
      await consumer.disconnect();
      expect(m).toBe(INPUTS);
      for (let p = 0; p < PARTITIONS; p++) expect(outputs.get(p), `partition ${p}`).toEqual(inputs.get(p));
      expect(kills).toBe(10);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
