/**
 * Differential test against Java Kafka Streams: every scenario of scenarios.ts is built both with
 * Kafka Streams 4.1.1 (Differential.java, on Java's TopologyTestDriver) and with Tributary (on its
 * TopologyTestDriver), fed the same seeded records one by one, and must give the same
 * `describe()` text and the same output records — keys, values and timestamps, in order.
 * Kafka's jars come from Maven Central through pom.xml and are cached outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/serde/index.ts';
import { TopologyTestDriver } from '../../../src/streams/testing/index.ts';
import { records, scenarios } from './scenarios.ts';

const here = dirname(fileURLToPath(import.meta.url));
const S = Serdes.String();

function ensureJars(): string {
  const dir = join(process.env.TRIB_STREAMS_JAVA_CACHE ?? join(homedir(), '.cache', 'tributary-streams-java'), '4.1.1');
  const lib = join(dir, 'lib');
  const marker = join(dir, '.complete');
  if (!existsSync(marker)) {
    mkdirSync(dir, { recursive: true });
    const staging = join(dir, `lib.partial-${process.pid}`);
    execFileSync(
      'mvn',
      ['-q', '-B', '-f', join(here, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        timeout: 15 * 60_000,
      },
    );
    rmSync(lib, { recursive: true, force: true });
    renameSync(staging, lib);
    writeFileSync(marker, `${new Date().toISOString()}\n`);
  }
  return join(lib, '*');
}

let classpath: string;

beforeAll(() => {
  const jars = ensureJars();
  const classes = mkdtempSync(join(tmpdir(), 'streams-diff-'));
  execFileSync('javac', ['-nowarn', '-cp', jars, '-d', classes, join(here, 'Differential.java')], { stdio: 'inherit' });
  classpath = `${jars}:${classes}`;
});

type Row = [string, string | null, string | null, number];

function runJava(name: string, input: ReturnType<typeof records>, cacheBytes = 0): { describe: string; rows: Row[] } {
  const stdin = input
    .map((r) => [r.topic, r.key ?? '\\N', r.value ?? '\\N', String(r.timestamp), String(r.advanceMs)].join('\t'))
    .join('\n');
  const { outerJoinEmitIntervalMs, windowedEmitIntervalMs } = scenarios[name]!;
  const args = [
    '-cp',
    classpath,
    'Differential',
    name,
    String(cacheBytes),
    String(outerJoinEmitIntervalMs ?? 0),
    String(windowedEmitIntervalMs ?? 0),
  ];
  const out = execFileSync('java', args, {
    input: stdin,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });
  const describe = out.slice(out.indexOf('DESCRIBE\n') + 9, out.indexOf('END\n'));
  const rows = out
    .split('\n')
    .filter((l) => l.startsWith('OUT\t'))
    .map((l) => {
      const [, topic, key, value, ts] = l.split('\t');
      return [topic!, key === '\\N' ? null : key!, value === '\\N' ? null : value!, Number(ts)] as Row;
    });
  return { describe, rows };
}

function runTributary(
  name: string,
  input: ReturnType<typeof records>,
  cacheBytes = 0,
): { describe: string; rows: Row[] } {
  const { topology, outputs } = scenarios[name]!.build();
  const { outerJoinEmitIntervalMs, windowedEmitIntervalMs } = scenarios[name]!;
  const driver = new TopologyTestDriver(topology, {
    applicationId: 'diff',
    cacheMaxBytes: cacheBytes,
    outerJoinEmitIntervalMs: outerJoinEmitIntervalMs ?? 0,
    windowedAggregationEmitIntervalMs: windowedEmitIntervalMs ?? 0,
  });
  for (const r of input) {
    if (r.advanceMs > 0) driver.advanceWallClockTime(r.advanceMs);
    driver.createInputTopic(r.topic, S, S).pipeInput(r.key, r.value, r.timestamp);
  }
  const rows: Row[] = [];
  for (const out of outputs)
    for (const r of driver.createOutputTopic(out, S, S).readRecordsToList())
      rows.push([out, r.key, r.value, r.timestamp]);
  driver.close();
  return { describe: topology.describe().toString(), rows };
}

/**
 * describe() with the order of equal-sized siblings taken out: Kafka orders successors and
 * predecessors by a subtree size that it counts per path as nodes are linked, so nodes that are
 * alike may come in another order. Names, stores, topics, edges and sub-topologies must match.
 */
function normalized(text: string): string {
  const out: string[] = [];
  let blocks: string[][] = [];
  const flush = () => {
    out.push(...blocks.map((b) => b.join('\n')).sort());
    blocks = [];
  };
  for (const line of text.split('\n')) {
    if (/^\s*Sub-topology:/.test(line) || line === 'Topologies:') {
      flush();
      out.push(line);
    } else if (/^\s*(-->|<--)/.test(line)) {
      const [arrow, list] = line.trim().split(/ (.*)/);
      blocks.at(-1)!.push(`${arrow} ${list!.split(', ').sort().join(', ')}`);
    } else if (line.trim() !== '') {
      blocks.push([
        line.replace(/stores: \[(.*)\]/, (_m, l: string) => `stores: [${l.split(', ').sort().join(', ')}]`),
      ]);
    }
  }
  flush();
  return out.join('\n');
}

describe('Tributary Streams against Java Kafka Streams 4.1.1 (TopologyTestDriver, same topology and records)', () => {
  for (const name of Object.keys(scenarios)) {
    it.each([1, 2, 3])(`${name}: same describe() and output records (seed %i)`, (seed) => {
      const input = records(scenarios[name]!, seed);
      const java = runJava(name, input);
      const ours = runTributary(name, input);
      expect(normalized(ours.describe)).toBe(normalized(java.describe));
      expect(ours.rows).toEqual(java.rows);
      expect(java.rows.length).toBeGreaterThan(0);
    });
  }
});

/**
 * The same with the record cache on (10 MiB on both sides): the drivers commit after every input
 * record, so the caches flush after each; what they forward, and in what order, must match.
 */
describe('the same with caching on', () => {
  // Not yet the same with caching: the foreign-key join's cached tables forward differently; left
  // out until they do. A cogroup's sliding windows and a session aggregation read windows and
  // sessions past retention from Kafka's cache, which keeps what a commit wrote as clean entries,
  // while Tributary's lets them go at the commit (docs/decisions.md): a session that Kafka's cache
  // still returns is expired in Tributary's store (seed 2 of `session` shows it).
  const uncached = new Set(['fk', 'cogroup-sliding', 'session']);
  for (const name of Object.keys(scenarios).filter((n) => !uncached.has(n))) {
    it.each([1, 2, 3])(`${name}: same output records with a 10 MiB cache (seed %i)`, (seed) => {
      const input = records(scenarios[name]!, seed);
      const java = runJava(name, input, 10 << 20);
      const ours = runTributary(name, input, 10 << 20);
      expect(ours.rows).toEqual(java.rows);
    });
  }
});
