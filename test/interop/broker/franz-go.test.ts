import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startTribServe, type TribServe } from './trib-serve.ts';

/**
 * franz-go (github.com/twmb/franz-go from the Go module proxy), a pure-Go client that picks the
 * newest version of each API the broker advertises: seen through a logging proxy, Produce 12,
 * Fetch 17 (topic ids), ListOffsets 10, Metadata 13, JoinGroup 9, DescribeGroups 6, CreateTopics 7,
 * ApiVersions 5 refused then 4; cooperative-sticky groups. franz-go/main.go with kadm, an idempotent zstd producer,
 * transactions and two group members. It needs the Go that go.mod names or newer (franz-go 1.22
 * asks for Go 1.26): the machine's /usr/local/go, not Debian's golang-go 1.19 (docs/decisions.md).
 * The binary is cached by the hash of the module's files.
 */
const MODULE = join(import.meta.dirname, 'franz-go');
const CACHE = join(process.env.TRIB_INTEROP_CACHE ?? join(homedir(), '.cache', 'tributary-interop'), 'franz-go');

/** A Go at least as new as go.mod's `go` line: $TRIB_GO, /usr/local/go, then the one on PATH. */
function findGo(wanted: string): string {
  const need = wanted.split('.').map(Number);
  const tried: string[] = [];
  for (const candidate of [process.env.TRIB_GO, '/usr/local/go/bin/go', 'go']) {
    if (candidate === undefined) continue;
    const probe = spawnSync(candidate, ['env', 'GOVERSION'], {
      encoding: 'utf8',
      env: { ...process.env, GOTOOLCHAIN: 'local' },
    });
    const version = probe.status === 0 ? probe.stdout.trim() : '';
    tried.push(`${candidate}: ${version || 'not found'}`);
    const have = /^go(\d+)\.(\d+)(?:\.(\d+))?/
      .exec(version)
      ?.slice(1)
      .map((n) => Number(n ?? 0));
    if (have === undefined) continue;
    const cmp = have.map((n, i) => n - (need[i] ?? 0)).find((d) => d !== 0) ?? 0;
    if (cmp >= 0) return candidate;
  }
  throw new Error(`franz-go needs Go ${wanted} or newer; found ${tried.join(', ')} (set TRIB_GO)`);
}

function build(): string {
  const files = ['go.mod', 'go.sum', 'main.go'];
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update(readFileSync(join(MODULE, f)));
  const binary = join(CACHE, `franz-go-interop-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  const wanted = /^go (\S+)$/m.exec(readFileSync(join(MODULE, 'go.mod'), 'utf8'))![1]!;
  const go = findGo(wanted);
  const result = spawnSync(go, ['build', '-o', binary, '.'], {
    cwd: MODULE,
    encoding: 'utf8',
    timeout: 600_000,
    env: {
      ...process.env,
      GOTOOLCHAIN: 'local',
      GOFLAGS: '-mod=readonly',
      GOMODCACHE: join(CACHE, 'mod'),
      GOCACHE: join(CACHE, 'build-cache'),
    },
  });
  if (result.status !== 0) throw new Error(`go build failed:\n${result.stderr}${result.error ?? ''}`);
  // Binaries of earlier sources are not used again.
  for (const old of readdirSync(CACHE)) {
    if (old.startsWith('franz-go-interop-') && join(CACHE, old) !== binary) rmSync(join(CACHE, old), { force: true });
  }
  return binary;
}

describe('franz-go against trib serve', () => {
  let server: TribServe;
  let binary: string;
  beforeAll(async () => {
    binary = build();
    server = await startTribServe({ args: ['--group-initial-rebalance-delay-ms', '0'] });
  }, 900_000);
  afterAll(() => server?.dispose());

  it('should create a topic, produce, commit and abort transactions, and share the partitions between two cooperative members', () => {
    const out = run(binary, [server.bootstrap, 'franz-topic', 'franz-group'], { timeoutMs: 100_000 });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
      partitions: number;
      acked: [number, number][];
      seen: string[];
      assigned: number[][];
      balancer: string;
      state: string;
      members: number;
      committed: [number, number][];
    };
    expect(result.partitions).toBe(3);
    expect(result.acked).toEqual(Array.from({ length: 30 }, (_, i) => [i % 3, Math.floor(i / 3)]));
    // read_committed: the 30 records and the committed transaction's three (offset 10 of each partition,
    // no key); the aborted ones (offset 12, after the commit marker) are not delivered.
    const expected = [
      ...Array.from({ length: 30 }, (_, i) => `${i % 3}/${Math.floor(i / 3)}/key-${i}/value-${i}`),
      ...[0, 1, 2].map((p) => `${p}/10//committed-${p}`),
    ].sort();
    expect(result.seen).toEqual(expected);
    expect(result.balancer).toBe('cooperative-sticky');
    expect(result.state).toBe('Stable');
    expect(result.members).toBe(2);
    expect(result.assigned.flat().sort()).toEqual([0, 1, 2]);
    expect(result.assigned.every((a) => a.length > 0)).toBe(true);
    // franz-go commits one past the last record it delivered (the committed transaction's, offset 10),
    // and OffsetFetch gives that back for each partition.
    expect(result.committed).toEqual([
      [0, 11],
      [1, 11],
      [2, 11],
    ]);
  });
});
