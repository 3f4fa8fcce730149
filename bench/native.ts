/**
 * The non-Node programs the network benchmarks run: the librdkafka harness (bench/rdkafka-bench.c,
 * built with gcc against Debian's librdkafka-dev) and the Java client harness
 * (bench/JavaClientBench.java, built with javac against the kafka-clients jar that
 * test/interop/kafka/pom.xml fetches), plus Kafka's own perf-test tools from the same jars. Built
 * into `~/.cache/tributary-bench` (or `$TRIB_BENCH_CACHE`) and rebuilt when the source changes.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureKafkaJars } from '../test/interop/kafka/jars.ts';

const execFileAsync = promisify(execFile);
const HERE = import.meta.dirname;

function cacheDir(): string {
  const dir = process.env.TRIB_BENCH_CACHE ?? join(homedir(), '.cache', 'tributary-bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function digest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
}

/** The librdkafka harness's path, compiled if need be. */
export function rdkafkaBench(): string {
  const source = join(HERE, 'rdkafka-bench.c');
  const binary = join(cacheDir(), `rdkafka-bench-${digest(source)}`);
  if (!existsSync('/usr/include/librdkafka/rdkafka.h'))
    throw new Error('librdkafka headers missing: apt-get install -y librdkafka-dev');
  if (!existsSync(binary))
    execFileSync('gcc', ['-O2', '-Wall', '-o', binary, source, '-lrdkafka', '-lpthread'], { stdio: 'inherit' });
  return binary;
}

/** `java -cp` for Kafka's tools and the Java client harness (compiled if need be). */
export function javaClasspath(): string {
  const jars = ensureKafkaJars();
  const source = join(HERE, 'JavaClientBench.java');
  const out = join(cacheDir(), `java-${digest(source)}`);
  if (!existsSync(join(out, 'JavaClientBench.class'))) {
    mkdirSync(out, { recursive: true });
    execFileSync('javac', ['-d', out, '-cp', jars.classpath, source], { stdio: 'inherit' });
  }
  return `${out}:${jars.classpath}`;
}

/** The JVM options every Java client and tool here runs with (Kafka's own scripts use -Xmx512M). */
export const CLIENT_JVM = ['-Xmx512m', '-XX:+UseG1GC', '-Dlog4j2.level=WARN'];

/** Runs a harness and parses the JSON object it prints last. */
export async function runJson<T>(command: string, args: string[], timeoutMs = 300_000): Promise<T> {
  const { stdout } = await execFileAsync(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }).catch(
    (err: Error & { stderr?: string; stdout?: string }) => {
      throw new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${err.stderr ?? ''}${err.stdout ?? ''}`);
    },
  );
  const last = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (last === undefined) throw new Error(`${command} ${args.join(' ')} printed no JSON:\n${stdout}`);
  return JSON.parse(last) as T;
}

/** Runs a program and returns its stdout. */
export async function runText(command: string, args: string[], timeoutMs = 300_000): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }).catch(
    (err: Error & { stderr?: string; stdout?: string }) => {
      throw new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${err.stderr ?? ''}${err.stdout ?? ''}`);
    },
  );
  return stdout;
}

/** `java -cp` for Java Kafka Streams running test/interop/streams/StreamsApp.java (compiled if need be). */
export function streamsAppClasspath(): string {
  const jars = ensureKafkaJars();
  const source = join(HERE, '../test/interop/streams/StreamsApp.java');
  const out = join(cacheDir(), `streams-app-${digest(source)}`);
  if (!existsSync(join(out, 'StreamsApp.class'))) {
    mkdirSync(out, { recursive: true });
    execFileSync('javac', ['-nowarn', '-d', out, '-cp', jars.classpath, source], { stdio: 'inherit' });
  }
  return `${out}:${jars.classpath}`;
}
