import { createInterface } from 'node:readline';
import type { IHeaders, Message } from '../../client/types.ts';
import { TributaryError } from '../../errors.ts';
import { type CliIo, pairs, parse, positiveInt, UsageError, write } from '../command.ts';
import { withCluster } from '../cluster.ts';
import { LOG_OPTIONS_HELP, logOptions } from '../data-dir.ts';
import {
  type CliRegistry,
  openCliRegistry,
  PRODUCE_SCHEMA_HELP,
  produceEncoders,
  produceSchemaOptions,
  wantsProduceSchemas,
} from '../schema-serdes.ts';
import { oneTopic } from './topics.ts';

const USAGE = `Usage: trib produce TOPIC [options] < lines

Sends one record per line of stdin as the lines arrive (tail -f log | trib produce TOPIC
works), until end of input, SIGINT (Ctrl-C) or SIGTERM; then sends what is left and says
on stderr how many records were sent. The topic must exist.

Options:
  -t, --topic TOPIC         the topic, instead of the positional TOPIC
  -K, --key-separator SEP   split each line at the first SEP into key and value
  -H, --header k=v          add a header to every record (repeatable)
  -p, --partition N         send every record to partition N
      --acks N              -1 (default: fsync), 1 or 0 (no fsync)
      --linger-ms MS        wait up to MS for more lines before sending (default 5)
      --batch-size N        send at most N records at once (default 1000)
${LOG_OPTIONS_HELP}
  -h, --help                show help

${PRODUCE_SCHEMA_HELP}
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    ...logOptions,
    ...produceSchemaOptions,
    topic: { type: 'string', short: 't' },
    'key-separator': { type: 'string', short: 'K' },
    header: { type: 'string', short: 'H', multiple: true },
    partition: { type: 'string', short: 'p' },
    acks: { type: 'string' },
    'linger-ms': { type: 'string' },
    'batch-size': { type: 'string' },
  });
  if (values.help) {
    await write(io.stdout, USAGE);
    return 0;
  }
  const topic = oneTopic(positionals, values.topic, 'produce');
  const partition = positiveInt(values.partition, '--partition');
  const separator = values['key-separator'];
  if (separator === '') throw new UsageError('--key-separator must not be empty');
  const acks = values.acks === undefined ? -1 : Number(values.acks);
  if (![-1, 0, 1].includes(acks)) throw new UsageError(`--acks must be -1, 0 or 1, got "${values.acks}"`);
  const linger = positiveInt(values['linger-ms'], '--linger-ms') ?? 5;
  const batchSize = positiveInt(values['batch-size'], '--batch-size') ?? 1000;
  if (batchSize < 1) throw new UsageError('--batch-size must be at least 1');
  const headers: IHeaders = {};
  for (const [k, v] of pairs(values.header, '--header')) {
    const existing = headers[k];
    headers[k] = existing === undefined ? v : [...(Array.isArray(existing) ? existing : [existing]), v];
  }
  const hasHeaders = Object.keys(headers).length > 0;
  const schemas = wantsProduceSchemas(values);

  let count = 0;
  const place = await withCluster(values, io, {}, async (cli) => {
    const { reader, tributary, place } = cli;
    // A missing topic fails before stdin is read, whatever stdin holds; typos make no topics.
    if (!(await reader.listTopics()).includes(topic)) {
      throw new TributaryError(
        'UNKNOWN_TOPIC_OR_PARTITION',
        `Topic "${topic}" does not exist; create it with "trib topics create ${topic}"`,
        { topic },
      );
    }
    await reader.load(topic);
    if (partition !== undefined && partition >= reader.partitionCount(topic)) {
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic "${topic}" has no partition ${partition}`, {
        topic,
        partition,
      });
    }
    let registry: CliRegistry | undefined;
    // The topic was checked above; producers auto-create by default, the CLI never does.
    const producer = tributary.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      registry = schemas ? await openCliRegistry(values, cli) : undefined;
      const encode = await produceEncoders(values, topic, registry);
      // A delivery report per send at DEBUG (TRIB_LOG_LEVEL=debug), as kcat -v prints them.
      const logger = tributary.logger().namespace('trib.produce');
      const send = async (messages: Message[]) => {
        const results = await producer.send({ topic, messages, acks });
        logger.debug(`Sent ${messages.length} record(s)`, {
          topic,
          records: messages.length,
          partitions: results.map((r) => ({ partition: r.partition, baseOffset: r.baseOffset })),
        });
      };
      await sendLines({ io, linger, batchSize, send, sent: (n) => (count += n) }, (line, number) => {
        logger.debug(`Read line ${number}`, { topic, line: number });
        const message: Message = { value: line };
        const at = separator === undefined ? -1 : line.indexOf(separator);
        if (at >= 0) {
          message.key = encode.key(line.slice(0, at), number);
          message.value = encode.value(line.slice(at + separator!.length), number);
        } else {
          message.value = encode.value(line, number);
        }
        if (partition !== undefined) message.partition = partition;
        if (hasHeaders) message.headers = headers;
        return message;
      });
    } catch (err) {
      await write(io.stderr, `Produced ${count} record(s) to ${topic} ${place} before the error below\n`);
      throw err;
    } finally {
      await registry?.close();
      await producer.disconnect();
    }
    return place;
  });
  await write(io.stderr, `Produced ${count} record(s) to ${topic} ${place}\n`);
  return 0;
}

interface Sending {
  io: CliIo;
  linger: number;
  batchSize: number;
  send(messages: Message[]): Promise<unknown>;
  sent(count: number): void;
}

/**
 * Reads stdin line by line and sends each line's record within `linger` ms of its arrival, in
 * order, one send at a time. Ends at end of input or on SIGINT/SIGTERM, after sending every line
 * read; a failed send (or a line that cannot be encoded) stops the reading and is thrown.
 */
async function sendLines(sending: Sending, toMessage: (line: string, number: number) => Message): Promise<void> {
  const { io, linger, batchSize } = sending;
  // terminal: false keeps a terminal in cooked mode, so Ctrl-C is a signal, not a keystroke.
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  let pending: Message[] = [];
  let chain: Promise<void> = Promise.resolve();
  let sendFailure: unknown;
  let badLine: unknown;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0 || sendFailure !== undefined) return chain;
    const batch = pending;
    pending = [];
    chain = chain.then(async () => {
      if (sendFailure !== undefined) return;
      try {
        await sending.send(batch);
        sending.sent(batch.length);
      } catch (err) {
        sendFailure ??= err;
        lines.close();
      }
    });
    return chain;
  };
  const stop = () => lines.close();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let number = 0;
  try {
    for await (const line of lines) {
      number++;
      try {
        pending.push(toMessage(line, number));
      } catch (err) {
        badLine = err;
        break;
      }
      if (pending.length >= batchSize) await flush();
      else timer ??= setTimeout(flush, linger);
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  // What was read before a bad line is sent: it was good, and the summary counts it.
  await flush();
  // A pipe that stays open (tail -f) must not keep the process alive once we stop reading it.
  if (io.stdin === process.stdin) process.stdin.destroy();
  if (sendFailure !== undefined) throw sendFailure;
  if (badLine !== undefined) throw badLine;
}

export const produceCommand = { summary: 'send stdin lines as records to a topic', run };
