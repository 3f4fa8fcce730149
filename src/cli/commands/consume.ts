import type { KafkaMessage } from '../../client/types.ts';
import { TributaryError } from '../../errors.ts';
import type { LogRecord } from '../../log/backend.ts';
import { type CliCluster, type CliReader, withCluster } from '../cluster.ts';
import { type CliIo, parse, positiveInt, UsageError, write } from '../command.ts';
import { LOG_OPTIONS_HELP, logOptions } from '../data-dir.ts';
import { formatRecord, jsonRecord, type PrintedRecord, unknownToken } from '../format.ts';
import { type OffsetSpec, parseOffsetSpec, resolveOffset } from '../offsets.ts';
import {
  CONSUME_SCHEMA_HELP,
  type CliRegistry,
  consumeDecoders,
  consumeSchemaOptions,
  openCliRegistry,
  wantsConsumeSchemas,
} from '../schema-serdes.ts';
import { oneTopic } from './topics.ts';

const USAGE = `Usage: trib consume TOPIC [options]

Prints records as they arrive and follows the topic until Ctrl-C (SIGINT) or SIGTERM,
exit 0, or until --max-messages, --exit-at-end or --timeout says to stop. Says on
stderr how many records it printed.

Without --group it reads the partitions directly, committing nothing (kcat -C);
with --group it joins the group, gets partitions assigned and commits (kcat -G).

Options:
  -t, --topic TOPIC         the topic, instead of the positional TOPIC
  -p, --partition N         read only partition N (repeatable; not with --group)
  -o, --offset OFF          where to start: beginning, end (default), N, -N (N before
                            the end) or @TIME (epoch ms or ISO date); not with --group
      --from-beginning      the same as --offset beginning (with --group: for a group
                            without committed offsets)
  -g, --group GROUP         consume as a member of GROUP and commit offsets
  -c, --max-messages N      exit after N records
  -e, --exit-at-end         exit once every partition is read to its end
      --timeout MS          exit when no record came for MS milliseconds
  -f, --format FMT          kcat-style: %k key, %v value, %t topic, %p partition,
                            %o offset, %T timestamp, %h headers, %K/%S key/value
                            size, \\n newline (default "%v\\n")
      --key                 print the key too: "%k\\t%v\\n"
  -K, --key-separator SEP   print the key too, with SEP between key and value
  -J, --json                one JSON object per record, as kcat -J
${LOG_OPTIONS_HELP}
  -h, --help                show help

${CONSUME_SCHEMA_HELP}
`;

/** What the options say about when to stop and how to print. */
interface Plan {
  topic: string;
  max: number | undefined;
  exitAtEnd: boolean;
  timeout: number | undefined;
  print(record: PrintedRecord): string;
}

/**
 * The printing side of a consume, shared by both ways of reading: counts, stops at
 * --max-messages, --exit-at-end, --timeout or a signal, and keeps the process alive meanwhile
 * (the log's and the clients' idle timers do not).
 */
class Printer {
  count = 0;
  readonly done: Promise<void>;
  readonly abort = new AbortController();
  #finish!: () => void;
  #idle: NodeJS.Timeout | undefined;
  readonly #keepAlive = setInterval(() => undefined, 1 << 30);
  readonly #atEnd = new Set<number>();

  constructor(
    private readonly io: CliIo,
    private readonly plan: Plan,
    private readonly partitions: number,
    private readonly decode: (record: PrintedRecord) => Promise<void>,
  ) {
    this.done = new Promise((resolve) => {
      this.#finish = resolve;
    });
    process.on('SIGINT', this.stop);
    process.on('SIGTERM', this.stop);
    // A closed pipe is also reported as an 'error' event; left unheard it would crash the process.
    io.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.stop();
    });
    this.#armTimeout();
    if (plan.max === 0) this.stop();
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  readonly stop = (): void => {
    if (this.stopped) return;
    this.abort.abort();
    clearInterval(this.#keepAlive);
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    process.off('SIGINT', this.stop);
    process.off('SIGTERM', this.stop);
    this.#finish();
  };

  /** Prints the record unless stopped; true when it was printed. */
  async print(record: PrintedRecord): Promise<boolean> {
    if (this.stopped) return false;
    await this.decode(record);
    if (this.stopped || (this.plan.max !== undefined && this.count >= this.plan.max)) return false;
    this.count++;
    this.#armTimeout();
    try {
      await write(this.io.stdout, this.plan.print(record));
    } catch (err) {
      // The reader went away (`trib consume t | head -1`): stop as kcat does, without an error.
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
      this.count--;
      this.stop();
      return false;
    }
    if (this.plan.max !== undefined && this.count >= this.plan.max) this.stop();
    return true;
  }

  /** A partition read to its end; with --exit-at-end, the last one stops the consume. */
  reachedEnd(partition: number): void {
    this.#atEnd.add(partition);
    if (this.plan.exitAtEnd && this.#atEnd.size >= this.partitions) this.stop();
  }

  #armTimeout(): void {
    if (this.plan.timeout === undefined) return;
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = setTimeout(this.stop, this.plan.timeout);
  }
}

function fromLog(topic: string, partition: number, record: LogRecord): PrintedRecord {
  const bytes = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  return {
    topic,
    partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: bytes(record.key),
    value: bytes(record.value),
    headers: record.headers.map((h) => [h.key, bytes(h.value)]),
  };
}

function fromMessage(topic: string, partition: number, message: KafkaMessage): PrintedRecord {
  const headers: [string, Buffer | null][] = [];
  for (const [k, v] of Object.entries(message.headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v])
      headers.push([k, one === undefined || one === null ? null : Buffer.from(one)]);
  }
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key ?? null,
    value: message.value ?? null,
    headers,
  };
}

/** kcat -C: each chosen partition read from its start offset, waiting at its end for more. */
async function readPartitions(
  log: CliReader,
  printer: Printer,
  topic: string,
  partitions: number[],
  spec: OffsetSpec,
): Promise<void> {
  const starts = new Map<number, number>();
  for (const p of partitions) starts.set(p, await resolveOffset(log, topic, p, spec));
  const follow = async (partition: number) => {
    let offset = starts.get(partition)!;
    while (!printer.stopped) {
      let read: Awaited<ReturnType<CliReader['read']>>;
      try {
        read = await log.read(topic, partition, offset, { maxRecords: 500 });
      } catch (err) {
        // Retention deleted what we were about to read: go on from the oldest record left.
        if (err instanceof TributaryError && err.code === 'OFFSET_OUT_OF_RANGE') {
          if (offset === log.offsets(topic, partition).logStartOffset) throw err;
          offset = log.offsets(topic, partition).logStartOffset;
          continue;
        }
        throw err;
      }
      for (const record of read.records) {
        if (printer.stopped) return;
        await printer.print(fromLog(topic, partition, record));
      }
      offset = read.nextOffset;
      if (offset >= read.highWatermark) {
        printer.reachedEnd(partition);
        if (printer.stopped) return;
        await log.waitForData(topic, partition, offset, printer.abort.signal);
      }
    }
  };
  await Promise.all(partitions.map(follow));
}

/**
 * Commits what was printed, in the background: one commit in flight at a time, carrying the
 * latest printed offset of each partition. Why not a commit per record: over the wire each is a
 * round trip, which made a group consume three times slower than a direct one; what a crash may
 * print again is the same at-least-once as kcat -G's periodic commits, and less of it.
 */
class Committer {
  readonly #pending = new Map<number, string>();
  #running: Promise<void> | undefined;
  #failure: unknown;

  constructor(
    private readonly consumer: {
      commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
    },
    private readonly topic: string,
  ) {}

  /** Records `offset` (the next to read) of `partition` for the next commit; throws a commit's failure. */
  mark(partition: number, offset: string): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#pending.set(partition, offset);
    this.#running ??= this.#commit();
  }

  async #commit(): Promise<void> {
    try {
      while (this.#pending.size > 0) {
        const offsets = [...this.#pending].map(([partition, offset]) => ({ topic: this.topic, partition, offset }));
        this.#pending.clear();
        await this.consumer.commitOffsets(offsets);
      }
    } catch (err) {
      this.#failure = err;
    } finally {
      this.#running = undefined;
    }
  }

  /** Resolves once everything marked is committed; throws a commit's failure. */
  async flush(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
    if (this.#failure !== undefined) throw this.#failure;
  }
}

/** kcat -G: a member of the group, committing each printed record. */
async function readAsGroup(
  cli: CliCluster,
  printer: Printer,
  topic: string,
  group: string,
  fromBeginning: boolean,
): Promise<void> {
  const { reader: log, tributary } = cli;
  const consumer = tributary.consumer({ groupId: group });
  try {
    const admin = tributary.admin();
    await admin.connect();
    // Where each partition ends now, and where this group starts, for --exit-at-end.
    const committed = (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions ?? [];
    const ends = new Map<number, number>();
    for (let p = 0; p < log.partitionCount(topic); p++) {
      const { logStartOffset, highWatermark } = log.offsets(topic, p);
      const c = committed.find((x) => x.partition === p);
      const start =
        c !== undefined && c.offset !== '-1' ? Number(c.offset) : fromBeginning ? logStartOffset : highWatermark;
      ends.set(p, highWatermark);
      if (start >= highWatermark) printer.reachedEnd(p);
    }
    if (printer.stopped) return;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning });
    const commits = new Committer(consumer, topic);
    const handling = new Set<Promise<void>>();
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        const work = (async () => {
          if (!(await printer.print(fromMessage(topic, partition, message)))) return;
          commits.mark(partition, String(Number(message.offset) + 1));
          if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) printer.reachedEnd(partition);
        })();
        handling.add(work);
        return work.finally(() => handling.delete(work));
      },
    });
    await printer.done;
    // The record that stopped the printer is committed too.
    await Promise.allSettled(handling);
    await commits.flush();
  } finally {
    await consumer.disconnect();
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    ...logOptions,
    ...consumeSchemaOptions,
    topic: { type: 'string', short: 't' },
    partition: { type: 'string', short: 'p', multiple: true },
    offset: { type: 'string', short: 'o' },
    'from-beginning': { type: 'boolean' },
    group: { type: 'string', short: 'g' },
    'max-messages': { type: 'string', short: 'c' },
    'exit-at-end': { type: 'boolean', short: 'e' },
    timeout: { type: 'string' },
    'timeout-ms': { type: 'string' },
    format: { type: 'string', short: 'f' },
    key: { type: 'boolean' },
    'key-separator': { type: 'string', short: 'K' },
    json: { type: 'boolean', short: 'J' },
  });
  if (values.help) {
    await write(io.stdout, USAGE);
    return 0;
  }
  const topic = oneTopic(positionals, values.topic, 'consume');
  const max = positiveInt(values['max-messages'], '--max-messages');
  const timeout = positiveInt(
    values.timeout ?? values['timeout-ms'],
    values.timeout === undefined ? '--timeout-ms' : '--timeout',
  );
  const group = values.group;
  if (group !== undefined && (values.partition !== undefined || values.offset !== undefined)) {
    throw new UsageError(
      '--partition and --offset choose where to read without a group; with --group the group decides (as kafka-console-consumer.sh)',
    );
  }
  if (values.offset !== undefined && values['from-beginning'] === true)
    throw new UsageError('give --offset or --from-beginning, not both');
  const spec: OffsetSpec =
    values.offset !== undefined
      ? parseOffsetSpec(values.offset)
      : values['from-beginning'] === true
        ? { kind: 'beginning' }
        : { kind: 'end' };
  const chosen = (values.partition ?? []).map((p) => positiveInt(p, '--partition')!);
  const keySeparator = values['key-separator'] ?? (values.key === true ? '\\t' : undefined);
  if (values.json === true && (values.format !== undefined || keySeparator !== undefined))
    throw new UsageError('--json prints every field; it takes no --format, --key or --key-separator');
  if (values.format !== undefined && keySeparator !== undefined)
    throw new UsageError('--format says where the key goes (%k); it takes no --key or --key-separator');
  const format =
    values.format ?? (keySeparator === undefined ? '%v\\n' : `%k${keySeparator.replaceAll('%', '%%')}%v\\n`);
  const bad = unknownToken(format);
  if (bad !== undefined) throw new UsageError(`--format has an unknown token ${bad}`);
  const schemas = wantsConsumeSchemas(values);
  const plan: Plan = {
    topic,
    max,
    exitAtEnd: values['exit-at-end'] === true,
    timeout,
    print: values.json === true ? jsonRecord : (record) => formatRecord(format, record),
  };

  let printed = 0;
  const place = await withCluster(values, io, {}, async (cli) => {
    const { reader, place } = cli;
    if (!(await reader.listTopics()).includes(topic)) {
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic "${topic}" does not exist`, { topic });
    }
    await reader.load(topic);
    const count = reader.partitionCount(topic);
    for (const p of chosen) {
      if (p >= count)
        throw new TributaryError(
          'UNKNOWN_TOPIC_OR_PARTITION',
          `Topic "${topic}" has no partition ${p} (it has ${count})`,
          { topic, partition: p },
        );
    }
    const partitions = chosen.length > 0 ? [...new Set(chosen)] : Array.from({ length: count }, (_, p) => p);
    let registry: CliRegistry | undefined;
    try {
      registry = schemas ? await openCliRegistry(values, cli) : undefined;
      const decoders = await consumeDecoders(values, registry);
      const decode = async (record: PrintedRecord) => {
        if (decoders.key !== undefined && record.key !== null) {
          record.decodedKey = await decoders.key(topic, record.key);
          record.keySchemaId = record.key.readUInt32BE(1);
        }
        if (decoders.value !== undefined && record.value !== null) {
          record.decodedValue = await decoders.value(topic, record.value);
          record.valueSchemaId = record.value.readUInt32BE(1);
        }
      };
      const printer = new Printer(io, plan, partitions.length, decode);
      try {
        const reading =
          group === undefined
            ? readPartitions(reader, printer, topic, partitions, spec)
            : readAsGroup(cli, printer, topic, group, values['from-beginning'] === true);
        await Promise.race([reading, printer.done]);
        printer.stop();
        await reading;
      } finally {
        printer.stop();
        printed = printer.count;
      }
    } finally {
      await registry?.close();
    }
    return place;
  });
  await write(io.stderr, `Consumed ${printed} record(s) from ${topic} ${place}\n`);
  return 0;
}

export const consumeCommand = { summary: 'print the records of a topic, following it live', run };
