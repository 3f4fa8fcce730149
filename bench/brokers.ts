/**
 * The two brokers the network benchmarks compare, started side by side on this machine: `trib serve`
 * in a child process (as users run it) and Apache Kafka, a single-node KRaft broker from Maven
 * Central started as Kafka's own `kafka-server-start.sh` starts it (1 GiB heap, G1). Topics are
 * created on both with the same settings through the same client (kafkajs's admin).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { type KafkaCluster, startKafka } from '../test/interop/kafka/cluster.ts';
import { startTribServe, type TribServe } from '../test/interop/broker/trib-serve.ts';

export interface BenchBroker {
  /** `tributary` or `kafka`, for labels. */
  name: 'tributary' | 'kafka';
  bootstrap: string;
  pid: number;
  createTopic(topic: string, partitions?: number): Promise<void>;
  stop(): Promise<void>;
}

/** What `kafka-server-start.sh` gives the JVM (KAFKA_HEAP_OPTS and KAFKA_JVM_PERFORMANCE_OPTS). */
const KAFKA_JVM = [
  '-Xms1g',
  '-Xmx1g',
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-Djava.awt.headless=true',
];

async function createTopicOn(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * What `trib` (bin/trib.js, src/cli/trib.mjs) gives node on its first line, as KAFKA_JVM is what
 * Kafka's start script gives the JVM: the bench runs the script with `node`, which skips that line.
 */
const TRIB_NODE = ['--initial-old-space-size=128'];

/** `trib serve --no-registry` on a fresh data directory; `args` are extra `trib serve` options. */
export async function startTributary(args: string[] = []): Promise<BenchBroker> {
  const serve: TribServe = await startTribServe({
    nodeArgs: TRIB_NODE,
    args: ['--group-initial-rebalance-delay-ms', '0', ...args],
  });
  return {
    name: 'tributary',
    bootstrap: serve.bootstrap,
    pid: serve.process.pid!,
    createTopic: (topic, partitions = 1) => createTopicOn(serve.bootstrap, topic, partitions),
    stop: () => serve.dispose(),
  };
}

/** Apache Kafka with its defaults, except what a one-node cluster needs (replication factor 1). */
export async function startKafkaBroker(): Promise<BenchBroker> {
  const cluster: KafkaCluster = await startKafka({
    jvmOptions: KAFKA_JVM,
    config: {
      // Kafka's defaults, where test/interop's launcher sets small values for tests.
      'log.segment.bytes': 1024 * 1024 * 1024,
      'num.network.threads': 3,
      'num.io.threads': 8,
    },
  });
  const node = cluster.nodes[0]!;
  return {
    name: 'kafka',
    bootstrap: cluster.bootstrap[0]!,
    get pid() {
      return node.process?.pid ?? -1;
    },
    createTopic: (topic, partitions = 1) => createTopicOn(cluster.bootstrap[0]!, topic, partitions),
    stop: () => cluster.stop(),
  };
}

/** A process's resident set size in bytes (Linux), or NaN once it is gone. */
export function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

/**
 * A process's resident memory split as Linux counts it (MiB): anonymous (heaps, buffers) and
 * file-backed (mapped files' pages, such as LevelDB's tables or the JVM's jars).
 */
export function rssParts(pid: number): { anon: number; file: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
    return { anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
  } catch {
    return { anon: Number.NaN, file: Number.NaN };
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns start, peak and end. */
export function sampleRss(
  pid: number,
  everyMs = 250,
): { stop(): { start: number; peak: number; end: number; samples: number[] } } {
  const samples = [rssOf(pid)];
  const timer = setInterval(() => samples.push(rssOf(pid)), everyMs);
  return {
    stop() {
      clearInterval(timer);
      samples.push(rssOf(pid));
      return { start: samples[0]!, peak: Math.max(...samples), end: samples.at(-1)!, samples };
    },
  };
}

/** CPU seconds a process has used (user + system, all its threads), from `/proc/<pid>/stat`. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * Microseconds for which some runnable task waited for a CPU (`/proc/pressure/cpu`, "some"
 * total), NaN where the kernel does not report it. Over a run, the share of its time the machine
 * had more work than cores: what the latency tail is most sensitive to here.
 */
export function cpuPressureMicros(): number {
  try {
    const match = /some .*total=(\d+)/.exec(readFileSync('/proc/pressure/cpu', 'latin1'));
    return match === null ? Number.NaN : Number(match[1]);
  } catch {
    return Number.NaN;
  }
}

/** The 1-minute load average, printed with each section because the machine is shared. */
export function load(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}
