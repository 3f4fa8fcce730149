import { logLevel } from '../../client/logger.ts';
import { topicDefaultsOf } from '../../broker/topic-defaults.ts';
import { TributaryError } from '../../errors.ts';
import { openLog } from '../../log/open.ts';
import { forgetBroker, recordBroker } from '../../log/storage/data-dir.ts';
import { refuseBrokers } from '../cluster.ts';
import { type CliIo, DATA_DIR_HELP, parse, positiveInt, UsageError, write } from '../command.ts';
import {
  brokerSecurityOptions,
  registrySecurityFlags,
  registrySecurityHelp,
  registrySecurityOptions,
  SECURITY_HELP,
  SECURITY_OPTIONS,
} from '../security-flags.ts';

const USAGE = `Usage: trib serve [--host 127.0.0.1] [--port 9092] [--advertised-listener HOST:PORT] [--no-registry] [--console PORT]

Runs a Kafka broker over the data directory: kcat, kafkajs, librdkafka, kafka-python, Kafka's own
tools and Tributary's clients connect to it as to a one-node Kafka cluster. The schema registry's
REST API is served on port 8081 by the same process unless --no-registry. Runs until SIGINT or
SIGTERM, then answers the requests in flight and closes the log cleanly. While it runs it owns the
data directory: other trib commands given --data-dir DIR (or $TRIBUTARY_DATA_DIR) reach it through
this broker and its registry, as they do with --bootstrap-server HOST:PORT.

Options:
  --host HOST                   the address to bind (default 127.0.0.1)
  --port PORT                   the Kafka port (default 9092; 0 picks a free one, printed)
  --advertised-listener H:P     what clients are told to connect to (default: host and port)
  --num-partitions N            partitions of auto-created topics (default 1)
  --config NAME=VALUE           a default for topics that do not set it, by Kafka's broker name
                                (log.retention.hours=24, log.cleanup.policy=compact,
                                message.max.bytes=…, log.message.timestamp.type=…); repeatable
  --no-auto-create-topics       answer Metadata for a missing topic with UNKNOWN_TOPIC_OR_PARTITION
  --group-initial-rebalance-delay-ms MS
                                how long a new group's first generation waits for more members
                                (default 3000, as Kafka's group.initial.rebalance.delay.ms)
  --no-fsync                    answer acks=-1 once written, without waiting for fsync, as Apache
                                Kafka does by default (a machine crash may lose the last writes;
                                a crash of the broker alone loses nothing acknowledged)
  --registry-port PORT          the schema registry's port (default 8081; 0 picks a free one)
  --no-registry                 do not serve the schema registry
  --console PORT                serve the web console on PORT too (0 picks a free one)
  --console-read-only           the console hides and refuses every action that changes data
${SECURITY_HELP}${registrySecurityHelp('registry-')}${registrySecurityHelp('console-', "Console security (as the registry's, with --console-)")}${DATA_DIR_HELP}
  -h, --help                    show help
`;

function port(value: string | undefined, option: string, fallback: number): number {
  const n = positiveInt(value, option) ?? fallback;
  if (n > 65535) throw new UsageError(`${option} must be at most 65535, got ${n}`);
  return n;
}

export const serveCommand = {
  summary: 'run a Kafka broker (and the schema registry) over the log',
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(args, {
      host: { type: 'string' },
      port: { type: 'string' },
      'advertised-listener': { type: 'string' },
      'num-partitions': { type: 'string' },
      config: { type: 'string', multiple: true },
      'no-auto-create-topics': { type: 'boolean' },
      'group-initial-rebalance-delay-ms': { type: 'string' },
      'registry-port': { type: 'string' },
      'no-registry': { type: 'boolean' },
      console: { type: 'string' },
      'console-read-only': { type: 'boolean' },
      'no-fsync': { type: 'boolean' },
      'bootstrap-server': { type: 'string', short: 'b' },
      ...SECURITY_OPTIONS,
      ...registrySecurityFlags('registry-'),
      ...registrySecurityFlags('console-'),
    });
    if (values.help) return write(io.stdout, USAGE).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib serve takes no arguments');
    refuseBrokers(values, 'serve', 'it is a broker over a data directory; it joins no other brokers');
    const host = values.host ?? '127.0.0.1';
    const kafkaPort = port(values.port, '--port', 9092);
    const registryPort = port(values['registry-port'], '--registry-port', 8081);
    const consolePort = values.console === undefined ? undefined : port(values.console, '--console', 8080);
    const numPartitions = positiveInt(values['num-partitions'], '--num-partitions') ?? 1;
    if (numPartitions < 1) throw new UsageError('--num-partitions must be at least 1');
    const security = brokerSecurityOptions(values);
    const registrySecurity = registrySecurityOptions(values, 'registry-');
    const consoleSecurity = registrySecurityOptions(values, 'console-');
    const dataDir = values['data-dir'] ?? io.env.TRIBUTARY_DATA_DIR ?? './.tributary';
    const log = await openLog({ dataDir, topicDefaults: brokerTopicDefaults(values.config ?? []) });
    // Signal handlers go on before anything listens, so a signal sent once the address is printed is never missed.
    let stop: (signal: NodeJS.Signals) => void = () => undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      stop = resolve;
    });
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const closers: (() => Promise<void>)[] = [];
    try {
      // Loaded here, not at the top: every other `trib` command starts without the broker's codecs.
      const { serve } = await import('../../broker/index.ts');
      const broker = await serve({
        log,
        host,
        port: kafkaPort,
        advertisedListener: values['advertised-listener'],
        numPartitions,
        autoCreateTopics: values['no-auto-create-topics'] !== true,
        groupInitialRebalanceDelayMs: positiveInt(
          values['group-initial-rebalance-delay-ms'],
          '--group-initial-rebalance-delay-ms',
        ),
        fsyncOnAcksAll: values['no-fsync'] !== true,
        logLevel: logLevel.WARN,
        ...security,
      });
      closers.push(() => broker.close());
      const { port: actual } = broker.address();
      const { host: advertisedHost, port: advertisedPort } = broker.advertised;
      // Beside the lock file, so a second process on this directory is told where to connect.
      recordBroker(dataDir, `${advertisedHost}:${advertisedPort}`);
      closers.push(async () => forgetBroker(dataDir));
      if (security.listeners === undefined) {
        await write(
          io.stdout,
          `Kafka broker listening on ${host}:${actual} (advertised as ${advertisedHost}:${advertisedPort})\n`,
        );
      } else {
        for (const l of broker.listeners()) {
          await write(
            io.stdout,
            `Kafka broker listening on ${l.protocol}://${l.host}:${l.port} (advertised as ${l.advertised.host}:${l.advertised.port})\n`,
          );
        }
      }
      let registry:
        | Awaited<ReturnType<typeof import('../../../schema-registry/index.ts').startRegistryServer>>
        | undefined;
      if (values['no-registry'] !== true) {
        const { startRegistryServer } = await import('../../../schema-registry/index.ts');
        registry = await startRegistryServer(log, { port: registryPort, host, ...registrySecurity });
        closers.unshift(() => registry!.close());
        // Recorded with the broker's address: trib schemas and trib produce --value-schema on this directory find it.
        recordBroker(dataDir, `${advertisedHost}:${advertisedPort}`, registry.url);
        await write(io.stdout, `Schema registry listening on ${registry.url}\n`);
      }
      if (consolePort !== undefined) {
        const [{ startConsole }, { consoleRegistry }] = await Promise.all([
          import('../../console/index.ts'),
          import('../../../schema-registry/index.ts'),
        ]);
        const console = await startConsole({
          log,
          host,
          port: consolePort,
          readOnly: values['console-read-only'] === true,
          broker,
          ...consoleSecurity,
          ...(registry === undefined ? {} : { registry: consoleRegistry(registry.registry) }),
        });
        closers.unshift(() => console.close());
        await write(io.stdout, `Console listening on ${console.url}\n`);
      }
      const signal = await stopped;
      for (const close of closers.splice(0)) await close();
      await write(io.stdout, `Stopped on ${signal}\n`);
      return 0;
    } finally {
      for (const close of closers) await close().catch(() => undefined);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await log.close();
    }
  },
};

/** `--config NAME=VALUE` settings as the log's topic defaults; a bad one is a usage error. */
function brokerTopicDefaults(settings: readonly string[]): Record<string, string> | undefined {
  if (settings.length === 0) return undefined;
  const byName: Record<string, string> = {};
  for (const setting of settings) {
    const at = setting.indexOf('=');
    if (at <= 0) throw new UsageError(`--config takes NAME=VALUE, got ${JSON.stringify(setting)}`);
    byName[setting.slice(0, at).trim()] = setting.slice(at + 1).trim();
  }
  try {
    return topicDefaultsOf(byName);
  } catch (err) {
    if (err instanceof TributaryError) throw new UsageError(`--config: ${err.message}`);
    throw err;
  }
}
