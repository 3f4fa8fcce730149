import { randomBytes } from 'node:crypto';
import { type CliIo, DATA_DIR_HELP, openTributary, parse, positiveInt, UsageError, write } from '../command.ts';
import { formatRecord, unknownToken } from '../format.ts';

const USAGE = `Usage: trib consume TOPIC [options]

Prints records as they arrive, until --max-messages, --exit-at-end or Ctrl-C.

Options:
  -b, --from-beginning      start at the oldest record (default: only new ones)
  -g, --group GROUP         consume as a member of GROUP and commit offsets
                            (default: a throw-away group that commits nothing)
  -c, --max-messages N      exit after N records
  -e, --exit-at-end         exit once every partition is read to its end
  -f, --format FMT          kcat-style: %k key, %v value, %t topic, %p partition,
                            %o offset, %T timestamp, %h headers, \\n newline
                            (default "%v\\n")
${DATA_DIR_HELP}
  -h, --help                show help
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    'from-beginning': { type: 'boolean', short: 'b' },
    group: { type: 'string', short: 'g' },
    'max-messages': { type: 'string', short: 'c' },
    'exit-at-end': { type: 'boolean', short: 'e' },
    format: { type: 'string', short: 'f' },
  });
  if (values.help) {
    await write(io.stdout, USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`trib consume takes one TOPIC, got ${positionals.length}`);
  const topic = positionals[0]!;
  const max = positiveInt(values['max-messages'], '--max-messages');
  const format = values.format ?? '%v\\n';
  const bad = unknownToken(format);
  if (bad !== undefined) throw new UsageError(`--format has an unknown token ${bad}`);
  const group = values.group;
  const fromBeginning = values['from-beginning'] === true;

  const tributary = openTributary(values['data-dir'], io);
  const admin = tributary.admin();
  await admin.connect();
  const consumer = tributary.consumer({ groupId: group ?? `trib-console-${randomBytes(4).toString('hex')}` });
  let count = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning });
    // Where each partition ends now, and where this consumer starts, for --exit-at-end.
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
    const committed = group === undefined ? [] : ((await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions ?? []);
    const reached = new Map<number, number>();
    for (const o of await admin.fetchTopicOffsets(topic)) {
      const c = committed.find((x) => x.partition === o.partition);
      reached.set(o.partition, c !== undefined && c.offset !== '-1' ? Number(c.offset) : fromBeginning ? Number(o.low) : Number(o.high));
    }
    const atEnd = () => [...ends].every(([p, end]) => (reached.get(p) ?? 0) >= end);
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const onSignal = () => finish();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if ((max !== undefined && max === 0) || (values['exit-at-end'] === true && atEnd())) finish();
    await consumer.run({
      autoCommit: group !== undefined,
      eachMessage: async ({ partition, message }) => {
        if (max !== undefined && count >= max) return;
        await write(io.stdout, formatRecord(format, topic, partition, message));
        count++;
        reached.set(partition, Number(message.offset) + 1);
        if (group !== undefined) await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
        if ((max !== undefined && count >= max) || (values['exit-at-end'] === true && atEnd())) finish();
      },
    });
    await finished;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  } finally {
    await consumer.disconnect();
    await admin.disconnect();
  }
  return 0;
}

export const consumeCommand = { summary: 'print the records of a topic', run };
