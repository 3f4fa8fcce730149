import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { nodeArgs } from '../setup/node-args.ts';

const root = mkdtempSync(join(tmpdir(), 'tributary-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Ack {
  partition: number;
  baseOffset: number;
  count: number;
  id: string;
}

/** Runs the writer until `killAfterMs` after it is ready, then SIGKILLs it; returns its acks. */
function runWriter(dataDir: string, run: number, killAfterMs: number, mode: 'sync' | 'mixed'): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs(join(import.meta.dirname, 'fixtures/crash-writer.ts')), dataDir, String(run), mode],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const acks: Ack[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (line.startsWith('ack ')) {
          const [, p, b, c, id] = line.split(' ');
          acks.push({ partition: Number(p), baseOffset: Number(b), count: Number(c), id: id! });
        }
        nl = buffer.indexOf('\n');
      }
    });
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (${signal}): ${stderr}`));
      else resolve(acks);
    });
  });
}

/**
 * Kills the writer `runs` times at random moments; after each kill, reopens the log and checks that
 * every partition is contiguous from 0 and holds every record the writer was told was appended.
 */
async function killAndCheck(mode: 'sync' | 'mixed', runs: number): Promise<number> {
  const dataDir = join(root, mode);
  const acked: Ack[] = [];
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let run = 0; run < runs; run++) {
    acked.push(...(await runWriter(dataDir, run, 20 + Math.floor(random() * 250), mode)));
    // Reopen in between, as a restarted process would, and check the whole log every time.
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    try {
      // Plain comparisons, the first few differences asserted at the end: an expect() per record
      // made the check, not the crashes, most of this test's time (the log grows to ~100,000
      // records and is checked whole after every kill).
      const keys = [new Map<number, string>(), new Map<number, string>(), new Map<number, string>()];
      const wrong: string[] = [];
      const decoder = new TextDecoder();
      for (let partition = 0; partition < 3; partition++) {
        const { highWatermark } = log.offsets('crash', partition);
        let expected = 0;
        let offset = 0;
        while (offset < highWatermark) {
          const result = await log.read('crash', partition, offset);
          for (const r of result.records) {
            if (r.offset !== expected) wrong.push(`p${partition}: offset ${r.offset} where ${expected} was due`);
            expected = r.offset + 1;
            keys[partition]!.set(r.offset, decoder.decode(r.key!));
          }
          offset = result.nextOffset;
        }
        if (expected !== highWatermark)
          wrong.push(`p${partition}: read to ${expected}, high watermark ${highWatermark}`);
      }
      for (const ack of acked) {
        for (let i = 0; i < ack.count; i++) {
          const key = keys[ack.partition]!.get(ack.baseOffset + i);
          if (key !== `${ack.id}-${i}`)
            wrong.push(`p${ack.partition}@${ack.baseOffset + i}: ${key}, acked ${ack.id}-${i}`);
        }
      }
      expect(wrong.slice(0, 10)).toEqual([]);
    } finally {
      await log.close();
    }
  }
  return acked.length;
}

describe('durability', () => {
  it('should keep every acknowledged record, contiguous and untorn, across 20 SIGKILLs', async () => {
    expect(await killAndCheck('sync', 20)).toBeGreaterThan(100);
  }, 120_000);

  it('should keep every journaled record too, with unsynced, synced and large appends interleaved, across 12 SIGKILLs', async () => {
    expect(await killAndCheck('mixed', 12)).toBeGreaterThan(100);
  }, 120_000);
});
