import { createInterface } from 'node:readline';
import type { IHeaders, Message } from '../../client/types.ts';
import { type CliIo, DATA_DIR_HELP, openTributary, pairs, parse, positiveInt, UsageError, write } from '../command.ts';

const USAGE = `Usage: trib produce TOPIC [options] < lines

Sends one record per line of stdin.

Options:
  -K, --key-separator SEP   split each line at the first SEP into key and value
  -H, --header k=v          add a header to every record (repeatable)
  -p, --partition N         send every record to partition N
      --acks N              -1 (default: fsync), 1 or 0 (no fsync)
${DATA_DIR_HELP}
  -h, --help                show help
`;

const BATCH = 1_000;

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    'key-separator': { type: 'string', short: 'K' },
    header: { type: 'string', short: 'H', multiple: true },
    partition: { type: 'string', short: 'p' },
    acks: { type: 'string' },
  });
  if (values.help) {
    await write(io.stdout, USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`trib produce takes one TOPIC, got ${positionals.length}`);
  const topic = positionals[0]!;
  const partition = positiveInt(values.partition, '--partition');
  const separator = values['key-separator'];
  if (separator === '') throw new UsageError('--key-separator must not be empty');
  const acks = values.acks === undefined ? -1 : Number(values.acks);
  if (![-1, 0, 1].includes(acks)) throw new UsageError(`--acks must be -1, 0 or 1, got "${values.acks}"`);
  const headers: IHeaders = {};
  for (const [k, v] of pairs(values.header, '--header')) {
    const existing = headers[k];
    headers[k] = existing === undefined ? v : [...(Array.isArray(existing) ? existing : [existing]), v];
  }
  const hasHeaders = Object.keys(headers).length > 0;

  const tributary = openTributary(values['data-dir'], io);
  // A typo in the topic name fails instead of creating a topic (producers auto-create by default).
  const producer = tributary.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let count = 0;
  try {
    // A missing topic fails before stdin is read, whatever stdin holds.
    await producer.send({ topic, messages: [] });
    let batch: Message[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await producer.send({ topic, messages: batch, acks });
      count += batch.length;
      batch = [];
    };
    for await (const line of createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
      const message: Message = { value: line };
      if (separator !== undefined) {
        const at = line.indexOf(separator);
        if (at >= 0) {
          message.key = line.slice(0, at);
          message.value = line.slice(at + separator.length);
        }
      }
      if (partition !== undefined) message.partition = partition;
      if (hasHeaders) message.headers = headers;
      batch.push(message);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  await write(io.stderr, `Produced ${count} record(s) to ${topic}\n`);
  return 0;
}

export const produceCommand = { summary: 'send stdin lines as records to a topic', run };
