import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startTribServe, type TribServe } from './trib-serve.ts';

/**
 * confluent-kafka-go (Debian's golang-github-confluentinc-confluent-kafka-go-dev, linked to the
 * system librdkafka): an idempotent acks=all producer and a group consumer that commits, built from
 * go/main.go in GOPATH mode. The binary is cached by the source's hash: a build takes a minute.
 */
const SOURCE = join(import.meta.dirname, 'go', 'main.go');
const CACHE = join(process.env.TRIB_INTEROP_CACHE ?? join(homedir(), '.cache', 'tributary-interop'), 'go');

function build(): string {
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  const binary = join(CACHE, `tribgo-${hash}`);
  if (existsSync(binary)) return binary;
  const pkg = join(CACHE, 'src', 'tribgo');
  mkdirSync(pkg, { recursive: true });
  copyFileSync(SOURCE, join(pkg, 'main.go'));
  run('go', ['build', '-tags', 'dynamic', '-o', binary, 'tribgo'], {
    timeoutMs: 600_000,
    env: { GO111MODULE: 'off', GOFLAGS: '', GOPATH: `${CACHE}:/usr/share/gocode`, GOCACHE: join(CACHE, 'build-cache') },
  });
  return binary;
}

describe('confluent-kafka-go against trib serve', () => {
  let server: TribServe;
  let binary: string;
  beforeAll(async () => {
    binary = build();
    server = await startTribServe();
  }, 900_000);
  afterAll(() => server?.dispose());

  it('should produce idempotently with acks=all and consume and commit in a group', () => {
    const result = JSON.parse(run(binary, [server.bootstrap], { timeoutMs: 90_000 }).trim().split('\n').at(-1)!);
    expect(result).toEqual({ acked: 10, committed: 10, values: Array.from({ length: 10 }, (_, i) => `v${i}`) });
  });
});
