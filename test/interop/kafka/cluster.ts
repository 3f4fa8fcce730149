/**
 * Real Apache Kafka for the interop suite: one KRaft node, or three, each a JVM of ours on free
 * loopback ports with a small heap, in combined mode (broker and controller in one process), formatted
 * afresh in a temporary folder and removed on `stop()`.
 *
 * @example
 * const kafka = await startKafka({ nodes: 3 });
 * const tributary = new Tributary({ brokers: kafka.bootstrap });
 * // …
 * await kafka.kill(kafka.leaderOf(…));   // SIGKILL one broker
 * await kafka.restart(2);
 * await kafka.stop();
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureKafkaJars } from './jars.ts';
import { probeBrokers } from './probe.ts';

const run = promisify(execFile);
const HOST = '127.0.0.1';

export interface StartKafkaOptions {
  /** 1 (default) or more KRaft nodes, each broker and controller. */
  nodes?: number;
  /** JVM options per node. Default a 384 MB heap, the serial collector. */
  jvmOptions?: string[];
  /** server.properties overrides for every node. */
  config?: Record<string, string | number | boolean>;
  /** How long to wait for the cluster to be ready. Default 120 s. */
  readyTimeoutMs?: number;
}

export interface KafkaNode {
  nodeId: number;
  port: number;
  controllerPort: number;
  dir: string;
  process: ChildProcess | undefined;
}

/** How long each step took, for the report. */
export interface KafkaTimings {
  downloadMs: number;
  formatMs: number;
  /** From spawning the JVMs until every broker answered Metadata listing all of them. */
  readyMs: number;
}

export interface KafkaCluster {
  readonly version: string;
  readonly nodes: readonly KafkaNode[];
  /** `127.0.0.1:port` of every broker. */
  readonly bootstrap: string[];
  readonly timings: KafkaTimings;
  /** SIGKILLs a node. */
  kill(nodeId: number): Promise<void>;
  /** Starts a stopped or killed node again on its folder and ports, and waits until it is back. */
  restart(nodeId: number): Promise<void>;
  /** Stops every node (SIGTERM, then SIGKILL after 10 s) and removes the folders. */
  stop(): Promise<void>;
  /** Everything the JVMs printed, for a failing test's message. */
  output(): string;
}

/** A port no one listens on now (the OS picks it; it is free again when we close it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Formats and starts a KRaft cluster; resolves once every broker sees every other. */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaCluster> {
  const count = options.nodes ?? 1;
  const jars = ensureKafkaJars();
  const root = mkdtempSync(join(tmpdir(), 'trib-kafka-'));
  const nodes: KafkaNode[] = [];
  for (let i = 1; i <= count; i++) {
    nodes.push({
      nodeId: i,
      port: await freePort(),
      controllerPort: await freePort(),
      dir: join(root, `node-${i}`),
      process: undefined,
    });
  }
  const voters = nodes.map((n) => `${n.nodeId}@${HOST}:${n.controllerPort}`).join(',');
  const replication = Math.min(3, count);
  // KRaft wants a base64url uuid of 16 bytes as the cluster id.
  // (Kafka's Uuid never starts with '-', which a command line would read as an option.)
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  let output = '';
  const jvm = options.jvmOptions ?? [
    '-Xms128m',
    '-Xmx384m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
  ];

  const formatStarted = Date.now();
  for (const node of nodes) {
    const properties: Record<string, string | number | boolean> = {
      'process.roles': 'broker,controller',
      'node.id': node.nodeId,
      'controller.quorum.voters': voters,
      listeners: `PLAINTEXT://${HOST}:${node.port},CONTROLLER://${HOST}:${node.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://${HOST}:${node.port}`,
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'PLAINTEXT',
      'log.dirs': join(node.dir, 'data'),
      'num.partitions': 1,
      'default.replication.factor': replication,
      'offsets.topic.replication.factor': replication,
      'offsets.topic.num.partitions': 3,
      'transaction.state.log.replication.factor': replication,
      'transaction.state.log.min.isr': Math.min(2, replication),
      'transaction.state.log.num.partitions': 3,
      'group.initial.rebalance.delay.ms': 0,
      'num.network.threads': 2,
      'num.io.threads': 2,
      'log.segment.bytes': 16 * 1024 * 1024,
      ...options.config,
    };
    rmSync(node.dir, { recursive: true, force: true });
    mkdirSync(node.dir, { recursive: true });
    writeFileSync(
      join(node.dir, 'server.properties'),
      Object.entries(properties)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join('\n'),
    );
  }
  // The three formats are independent JVMs: run them side by side.
  await Promise.all(
    nodes.map((node) =>
      run(
        'java',
        [
          '-Xmx256m',
          '-XX:TieredStopAtLevel=1',
          '-cp',
          jars.classpath,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          clusterId,
          '-c',
          join(node.dir, 'server.properties'),
        ],
        {
          timeout: 60_000,
        },
      ),
    ),
  );
  const formatMs = Date.now() - formatStarted;

  const spawnNode = (node: KafkaNode): void => {
    const child = spawn('java', [...jvm, '-cp', jars.classpath, 'kafka.Kafka', join(node.dir, 'server.properties')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      output += `[node ${node.nodeId}] ${chunk.toString()}`;
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', () => {
      if (node.process === child) node.process = undefined;
    });
    node.process = child;
  };

  const waitReady = async (targets: KafkaNode[], timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let ready = true;
      for (const node of targets) {
        if (node.process === undefined)
          throw new Error(`Kafka node ${node.nodeId} exited while starting:\n${output.slice(-5000)}`);
        try {
          const seen = await probeBrokers(HOST, node.port);
          if (seen.length < nodes.filter((n) => n.process !== undefined).length) ready = false;
        } catch {
          ready = false;
        }
        if (!ready) break;
      }
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`Kafka was not ready in ${timeoutMs} ms:\n${output.slice(-5000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const stopNode = async (node: KafkaNode, signal: NodeJS.Signals): Promise<void> => {
    const child = node.process;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const readyStarted = Date.now();
  for (const node of nodes) spawnNode(node);
  try {
    await waitReady(nodes, options.readyTimeoutMs ?? 120_000);
  } catch (err) {
    await Promise.all(nodes.map((n) => stopNode(n, 'SIGKILL')));
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const timings: KafkaTimings = { downloadMs: jars.downloadMs, formatMs, readyMs: Date.now() - readyStarted };

  const byId = (nodeId: number): KafkaNode => {
    const node = nodes.find((n) => n.nodeId === nodeId);
    if (node === undefined) throw new Error(`no Kafka node ${nodeId}`);
    return node;
  };
  return {
    version: jars.version,
    nodes,
    bootstrap: nodes.map((n) => `${HOST}:${n.port}`),
    timings,
    kill: (nodeId) => stopNode(byId(nodeId), 'SIGKILL'),
    async restart(nodeId) {
      const node = byId(nodeId);
      await stopNode(node, 'SIGTERM');
      spawnNode(node);
      await waitReady([node], options.readyTimeoutMs ?? 120_000);
    },
    async stop() {
      await Promise.all(nodes.map((n) => stopNode(n, 'SIGTERM')));
      rmSync(root, { recursive: true, force: true });
    },
    output: () => output,
  };
}
