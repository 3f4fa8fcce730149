/**
 * Apache Kafka's jars for the interop suite, from Maven Central through our own `pom.xml`, cached
 * outside the repository so that a second run starts at once.
 *
 * Why Maven rather than a release tarball: the registries are the only thing this project's machines
 * and CI reach, and `mvn dependency:copy-dependencies` gives the broker, the tools, the Java clients
 * and Kafka Streams on one classpath.
 *
 * @example
 * const { classpath, downloadMs } = ensureKafkaJars();
 * spawn('java', ['-cp', classpath, 'kafka.Kafka', 'server.properties']);
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const POM = join(dirname(fileURLToPath(import.meta.url)), 'pom.xml');

/** The Kafka version our pom.xml pins. */
export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, 'utf8'));
  if (match === null) throw new Error(`${POM} has no <kafka.version>`);
  return match[1]!;
}

/** Where the jars of `version` are cached: `$TRIB_KAFKA_CACHE` or `~/.cache/tributary-kafka`. */
export function kafkaCacheDir(version = kafkaVersion()): string {
  return join(process.env.TRIB_KAFKA_CACHE ?? join(homedir(), '.cache', 'tributary-kafka'), version);
}

export interface KafkaJars {
  version: string;
  /** A `java -cp` argument: the cached lib folder with a wildcard. */
  classpath: string;
  /** How long Maven took this time; 0 when the cache was there already. */
  downloadMs: number;
}

/**
 * Makes sure the jars are cached, running Maven once if not. A `.complete` marker written after a
 * successful copy tells a full cache from one that an interrupted run left half-filled.
 */
export function ensureKafkaJars(): KafkaJars {
  const version = kafkaVersion();
  const dir = kafkaCacheDir(version);
  const lib = join(dir, 'lib');
  const marker = join(dir, '.complete');
  if (existsSync(marker) && existsSync(lib)) return { version, classpath: join(lib, '*'), downloadMs: 0 };
  mkdirSync(dir, { recursive: true });
  const staging = join(dir, `lib.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const started = Date.now();
  execFileSync('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 15 * 60_000,
  });
  if (!readdirSync(staging).some((f) => f.startsWith('kafka_2.13-')))
    throw new Error(`Maven left no kafka_2.13 jar in ${staging}`);
  rmSync(lib, { recursive: true, force: true });
  renameSync(staging, lib);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return { version, classpath: join(lib, '*'), downloadMs: Date.now() - started };
}
