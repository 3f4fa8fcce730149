/**
 * What a `trib` command works on, and the Tributary that reaches it: the embedded log of a data
 * directory, or Kafka brokers over the wire (Tributary's `trib serve`, Apache Kafka, Redpanda).
 *
 * The brokers are those of `--bootstrap-server` (or `$TRIB_BOOTSTRAP_SERVER`), or the one that owns
 * the data directory: while `trib serve` runs on a directory it holds the directory's lock and
 * records its address (and its schema registry's URL) beside it, so `trib produce t --data-dir DIR`
 * in a second terminal talks to that broker instead of failing with DATA_DIR_LOCKED. Which wins:
 * a flag over the environment; `--bootstrap-server` with `--data-dir` is a usage error;
 * `$TRIB_BOOTSTRAP_SERVER` applies only when no `--data-dir` is given.
 *
 * Commands read partitions directly (`trib consume` without a group, `trib groups reset`) through
 * a {@link CliReader}: the log itself, or Fetch and ListOffsets over the wire.
 *
 * @example
 * const topics = await withCluster(values, io, {}, async ({ tributary }) => {
 *   const admin = tributary.admin();
 *   await admin.connect();
 *   return admin.listTopics();
 * });
 */
import { acquireSharedLog, releaseSharedLog, type SharedLog } from '../client/shared-log.ts';
import { clientContextOf, Tributary } from '../client/tributary.ts';
import type { WireFetcher } from '../client/wire/fetcher.ts';
import { TributaryError } from '../errors.ts';
import type { LogBackend, PartitionOffsets, ReadOptions, ReadResult } from '../log/backend.ts';
import { type EmbeddedLogBackend, openLog } from '../log/open.ts';
import { dataDirOwner } from '../log/storage/data-dir.ts';
import { type CliIo, UsageError } from './command.ts';
import { checkDataDir, dataDirOf, inDataDir, type LogOptionValues } from './data-dir.ts';
import { cliLogLevel } from './log-level.ts';

/** Where a command works. */
export type CliTarget =
  | {
      kind: 'log';
      /** The absolute data directory, checked. */
      dataDir: string;
      /** Set when `trib registry serve` holds the directory: its registry's URL. */
      registryUrl?: string | undefined;
    }
  | {
      kind: 'wire';
      brokers: string[];
      /** Set when the brokers are those of the data directory's owner (`trib serve`). */
      dataDir?: string | undefined;
      /** The schema registry the owner serves, if it recorded one. */
      registryUrl?: string | undefined;
    };

/** The partition reads of `trib consume` (without a group) and `trib groups reset`. */
export interface CliReader {
  listTopics(): Promise<string[]>;
  /**
   * Reads the topic's partitions and their offsets now, so that {@link partitionCount} and
   * {@link offsets} answer for it. UNKNOWN_TOPIC_OR_PARTITION when there is no such topic.
   */
  load(topic: string): Promise<void>;
  partitionCount(topic: string): number;
  /** The log's offsets now, or, over the wire, as the last load or read saw them. */
  offsets(topic: string, partition: number): PartitionOffsets;
  read(topic: string, partition: number, offset: number, options?: ReadOptions): Promise<ReadResult>;
  /** Resolves when the partition has data at `offset`, after a while without, or when `signal` aborts. */
  waitForData(topic: string, partition: number, offset: number, signal: AbortSignal): Promise<void>;
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number | null>;
}

/** What a command's task gets. */
export interface CliCluster {
  readonly target: CliTarget;
  readonly tributary: Tributary;
  /** For messages: `in DIR`, `on HOST:PORT` or `in DIR through trib serve at HOST:PORT`. */
  readonly place: string;
  /** The embedded log; undefined over the wire. */
  readonly log: EmbeddedLogBackend | undefined;
  readonly reader: CliReader;
}

/**
 * Milliseconds to reach a broker, and retries of a failed request: fewer and shorter than a
 * long-running client's, so that a wrong address fails a command in a few seconds.
 */
const CONNECTION_TIMEOUT = 3000;
const RETRY = { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 };

const ADDRESS = /^(?:\[[^\]\s]+\]|[^:,[\]\s]+):(\d+)$/;

/**
 * The brokers of `--bootstrap-server`, else of `$TRIB_BOOTSTRAP_SERVER` when no `--data-dir` is
 * given; undefined when neither names any. `host:port[,host:port…]`, IPv6 hosts in brackets.
 */
export function brokersOf(values: LogOptionValues, io: CliIo): string[] | undefined {
  const flag = values['bootstrap-server'];
  if (flag !== undefined && values['data-dir'] !== undefined)
    throw new UsageError('give --bootstrap-server or --data-dir, not both');
  const raw = flag ?? (values['data-dir'] === undefined ? io.env.TRIB_BOOTSTRAP_SERVER : undefined);
  const source = flag !== undefined ? '--bootstrap-server' : 'TRIB_BOOTSTRAP_SERVER';
  if (raw === undefined || (flag === undefined && raw.trim() === '')) return undefined;
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  for (const broker of brokers) {
    const port = Number(ADDRESS.exec(broker)?.[1]);
    if (!(port >= 1 && port <= 65535)) throw new UsageError(`${source} takes HOST:PORT[,HOST:PORT...], got "${raw}"`);
  }
  if (brokers.length === 0) throw new UsageError(`${source} takes HOST:PORT[,HOST:PORT...], got "${raw}"`);
  return brokers;
}

/**
 * Where the options point: the brokers named, the broker that owns the data directory, or the
 * data directory itself, checked (and created when `create` allows).
 */
export async function resolveTarget(values: LogOptionValues, io: CliIo, create: boolean): Promise<CliTarget> {
  const brokers = brokersOf(values, io);
  if (brokers !== undefined) {
    if (values.create === true)
      throw new UsageError('--create starts a log in a data directory; with --bootstrap-server there is none');
    return { kind: 'wire', brokers };
  }
  const owner = dataDirOwner(dataDirOf(values, io));
  if (owner?.address !== undefined) {
    return { kind: 'wire', brokers: [owner.address], dataDir: dataDirOf(values, io), registryUrl: owner.registryUrl };
  }
  return { kind: 'log', dataDir: await checkDataDir(values, io, create), registryUrl: owner?.registryUrl };
}

/** For messages: where the command worked. */
export function placeOf(target: CliTarget): string {
  if (target.kind === 'log') return `in ${target.dataDir}`;
  if (target.dataDir !== undefined) return `in ${target.dataDir} through trib serve at ${target.brokers[0]}`;
  return `on ${target.brokers.join(',')}`;
}

/** Adds where the command worked to a TributaryError's message, keeping its code. */
export function inPlace(err: unknown, target: CliTarget): unknown {
  if (target.kind === 'log') return inDataDir(err, target.dataDir);
  if (!(err instanceof TributaryError)) return err;
  const brokers = target.brokers.join(',');
  if (err.message.includes(brokers)) return err;
  const where =
    target.dataDir === undefined
      ? `brokers ${brokers}`
      : `data dir ${target.dataDir}, through trib serve at ${brokers}`;
  return new TributaryError(err.code, `${err.message.split('\n')[0]} (${where})`, {
    ...err.context,
    retriable: err.retriable,
    cause: err,
  });
}

/** A wire Tributary for a command: quiet unless TRIB_LOG_LEVEL says otherwise, quick to give up. */
export function wireTributary(brokers: string[], io: CliIo): Tributary {
  return new Tributary({
    brokers,
    clientId: 'trib',
    logLevel: cliLogLevel(io.env),
    connectionTimeout: CONNECTION_TIMEOUT,
    retry: RETRY,
  });
}

/**
 * Runs `task` on what the options point at, and closes everything it opened. `create` lets a
 * missing or empty data directory become a new log (`--create` does the same for any command).
 * TributaryErrors of the task come out naming the data directory or the brokers.
 *
 * @example
 * const topics = await withCluster(values, io, {}, ({ reader }) => reader.listTopics());
 */
export async function withCluster<T>(
  values: LogOptionValues,
  io: CliIo,
  options: { create?: boolean },
  task: (cli: CliCluster) => Promise<T>,
): Promise<T> {
  let target = await resolveTarget(values, io, options.create === true || values.create === true);
  if (target.kind === 'log') {
    let shared: SharedLog | undefined;
    try {
      // Through the process's registry of open logs: run inside a program that has the directory
      // open (`runCli` from a test or a tool), a command sees that program's log and its groups' members.
      const dataDir = target.dataDir;
      shared = await acquireSharedLog(dataDir, () => openLog({ dataDir }));
    } catch (err) {
      // trib serve started between the look at the directory and the open: go through it.
      const address = err instanceof TributaryError ? err.context.address : undefined;
      if (err instanceof TributaryError && err.code === 'DATA_DIR_LOCKED' && typeof address === 'string')
        target = { kind: 'wire', brokers: [address], dataDir: target.dataDir };
      else throw inDataDir(err, target.dataDir);
    }
    if (shared !== undefined) {
      const opened = shared;
      // Every log of the registry is opened by openLog (here or by a Tributary given a dataDir).
      return onLog(opened.log as EmbeddedLogBackend, target, io, task, () => releaseSharedLog(opened));
    }
  }
  const wire = target as Extract<CliTarget, { kind: 'wire' }>;
  const tributary = wireTributary(wire.brokers, io);
  const reader = new WireReader(tributary);
  try {
    return await task({ target: wire, tributary, place: placeOf(wire), log: undefined, reader });
  } catch (err) {
    throw inPlace(err, wire);
  } finally {
    await reader.close();
    await tributary.close();
  }
}

async function onLog<T>(
  log: EmbeddedLogBackend,
  target: CliTarget,
  io: CliIo,
  task: (cli: CliCluster) => Promise<T>,
  release: () => Promise<void>,
): Promise<T> {
  const tributary = new Tributary({ log, clientId: 'trib', logLevel: cliLogLevel(io.env) });
  try {
    return await task({ target, tributary, place: placeOf(target), log, reader: logReader(log) });
  } catch (err) {
    throw inPlace(err, target);
  } finally {
    await tributary.close();
    await release();
  }
}

function logReader(log: LogBackend): CliReader {
  return {
    listTopics: () => log.listTopics(),
    load: async (topic) => {
      log.partitionCount(topic);
    },
    partitionCount: (topic) => log.partitionCount(topic),
    offsets: (topic, partition) => log.offsets(topic, partition),
    read: (topic, partition, offset, options) => log.read(topic, partition, offset, options),
    waitForData: (topic, partition, offset, signal) => log.waitForData(topic, partition, offset, signal),
    offsetForTimestamp: (topic, partition, timestamp) => log.offsetForTimestamp(topic, partition, timestamp),
  };
}

/**
 * Partition reads over the wire, on a connection of their own opened at first use: the client's
 * Fetch adapter (see client/wire/fetcher.ts), whose held Fetches wait at the end of a partition.
 */
class WireReader implements CliReader {
  readonly #tributary: Tributary;
  #fetcher: Promise<WireFetcher> | undefined;
  #ready: WireFetcher | undefined;

  constructor(tributary: Tributary) {
    this.#tributary = tributary;
  }

  #connect(): Promise<WireFetcher> {
    this.#fetcher ??= (async () => {
      const wire = clientContextOf(this.#tributary).wire!;
      const [{ WireFetcher }, transport] = await Promise.all([import('../client/wire/fetcher.ts'), wire.connect({})]);
      this.#ready = new WireFetcher(transport);
      return this.#ready;
    })();
    return this.#fetcher;
  }

  /** The fetcher, once {@link load} made it. */
  get #loaded(): WireFetcher {
    if (this.#ready === undefined) throw new Error('load() the topic first');
    return this.#ready;
  }

  async listTopics(): Promise<string[]> {
    return (await this.#connect()).listTopics();
  }

  async load(topic: string): Promise<void> {
    const fetcher = await this.#connect();
    const { cluster } = fetcher.transport;
    // Fresh metadata: a topic created or grown a moment ago (by another process) is seen as it is now.
    await cluster.refreshMetadata([topic]);
    const info = await cluster.topic(topic);
    await fetcher.loadOffsets(info.partitions.map(({ partition }) => ({ topic, partition })));
  }

  partitionCount(topic: string): number {
    return this.#loaded.partitionCount(topic);
  }

  offsets(topic: string, partition: number): PartitionOffsets {
    return this.#loaded.offsets(topic, partition);
  }

  async read(topic: string, partition: number, offset: number, options?: ReadOptions): Promise<ReadResult> {
    return (await this.#connect()).read(topic, partition, offset, options);
  }

  async waitForData(topic: string, partition: number, offset: number, signal: AbortSignal): Promise<void> {
    return (await this.#connect()).waitForData(topic, partition, offset, signal);
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number | null> {
    const found = (await (await this.#connect()).transport.listOffsets(topic, timestamp)).get(partition);
    return found === undefined || found < 0 ? null : found;
  }

  /** Closes its connections, held Fetches included, so nothing keeps the process alive. */
  async close(): Promise<void> {
    const fetcher = await this.#fetcher?.catch(() => undefined);
    await fetcher?.transport.cluster.disconnect();
  }
}

/**
 * For the commands that need the data directory itself (`trib doctor`, `trib serve`, `trib registry
 * serve`): `--bootstrap-server` refused with a typed error saying why. The environment's
 * `$TRIB_BOOTSTRAP_SERVER` is left alone: it is set for the client commands of a shell.
 */
export function refuseBrokers(values: { 'bootstrap-server'?: string | undefined }, command: string, why: string): void {
  const brokers = values['bootstrap-server'];
  if (brokers === undefined) return;
  throw new TributaryError(
    'TRANSPORT_NOT_AVAILABLE',
    `trib ${command} cannot work over --bootstrap-server (${brokers}): ${why}`,
    { brokers, command },
  );
}

/**
 * {@link withCluster} for commands that work on the log of a data directory itself (`trib users`,
 * `trib acls`, `trib console`): over the wire they answer TRANSPORT_NOT_AVAILABLE naming what to do
 * instead.
 */
export async function withLog<T>(
  values: LogOptionValues,
  io: CliIo,
  options: { create?: boolean; command: string; instead: string },
  task: (cli: CliCluster & { log: EmbeddedLogBackend }) => Promise<T>,
): Promise<T> {
  return withCluster(values, io, options, async (cli) => {
    if (cli.log === undefined) {
      throw new TributaryError(
        'TRANSPORT_NOT_AVAILABLE',
        `trib ${options.command} works on a data directory's log; ${cli.place} is reached over the wire. ${options.instead}`,
      );
    }
    return task(cli as CliCluster & { log: EmbeddedLogBackend });
  });
}
