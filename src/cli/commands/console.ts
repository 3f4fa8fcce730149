import { type CliIo, parse, positiveInt, UsageError, write } from '../command.ts';
import { withCluster } from '../cluster.ts';
import { wireConsoleLog } from '../console-log.ts';
import { LOG_OPTIONS_HELP, logOptions } from '../data-dir.ts';
import { registrySecurityFlags, registrySecurityHelp, registrySecurityOptions } from '../security-flags.ts';

const USAGE = `Usage: trib console [--host 127.0.0.1] [--port 8080] [--read-only] [--data-dir DIR]

Serves the web console over the data directory, or over Kafka brokers with -b (a remote trib
serve, Apache Kafka, Redpanda): topics, messages (decoded through the schema registry), consumer
groups and their lag, schemas, and /metrics for Prometheus. A data directory that a running trib
serve owns is reached through that broker. Binds 127.0.0.1 unless --host says otherwise. Runs
until SIGINT or SIGTERM.

Options:
  --host HOST            the address to bind (default 127.0.0.1: nothing opens to the network)
  --port PORT            the port (default 8080; 0 picks a free one, printed)
  --read-only            hide and refuse every action that changes data
  --no-registry          do not browse or decode with a schema registry
  -r, --registry-url URL a schema registry to browse and decode with (default: the data directory's
                         own, or the one the broker owning it serves; none over -b without this)
${registrySecurityHelp('', "Console security (users and roles as the registry's: read browses, write produces,\ncreates topics and resets offsets, admin deletes topics and changes configs)")}${LOG_OPTIONS_HELP}
  -h, --help             show help
`;

/** A TCP port from an option, 0 to 65535. */
export function portOption(value: string | undefined, option: string, fallback: number): number {
  const n = positiveInt(value, option) ?? fallback;
  if (n > 65535) throw new UsageError(`${option} must be at most 65535, got ${n}`);
  return n;
}

/** Resolves on the first SIGINT or SIGTERM, with the handlers taken off again by `off`. */
export function untilSignal(): { stopped: Promise<NodeJS.Signals>; off(): void } {
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stop = resolve;
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    stopped,
    off: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

export const consoleCommand = {
  summary: 'serve the web console (topics, messages, groups, schemas, metrics)',
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(args, {
      ...logOptions,
      host: { type: 'string' },
      port: { type: 'string' },
      'read-only': { type: 'boolean' },
      ...registrySecurityFlags(''),
      'no-registry': { type: 'boolean' },
      'registry-url': { type: 'string', short: 'r' },
    });
    if (values.help) return write(io.stdout, USAGE).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib console takes no arguments');
    const host = values.host ?? '127.0.0.1';
    const port = portOption(values.port, '--port', 8080);
    const security = registrySecurityOptions(values, '');
    const signals = untilSignal();
    try {
      return await withCluster(values, io, {}, async ({ log, tributary, place, target, reader }) => {
        const registryUrl = values['registry-url'] ?? target.registryUrl;
        const [{ startConsole }, registry] = await Promise.all([
          import('../../console/index.ts'),
          values['no-registry'] === true
            ? undefined
            : import('../../../schema-registry/index.ts').then(
                async ({ SchemaRegistry, consoleRegistry, remoteConsoleRegistry }) => {
                  // A registry at a URL (given, or the one the broker owning the directory serves), else the log's own.
                  if (registryUrl !== undefined)
                    return { opened: undefined, view: remoteConsoleRegistry({ url: registryUrl }) };
                  if (log === undefined) return undefined;
                  const opened = await SchemaRegistry.open(log);
                  return { opened, view: consoleRegistry(opened) };
                },
              ),
        ]);
        const server = await startConsole({
          // Over the wire, the log's calls are answered with Metadata, ListOffsets, Fetch and the admin calls.
          log: log ?? wireConsoleLog(tributary, reader),
          tributary,
          host,
          port,
          readOnly: values['read-only'] === true,
          allowedHosts: security.allowedHosts ?? [],
          ...(security.auth === undefined ? {} : { auth: security.auth }),
          ...(security.tls === undefined ? {} : { tls: security.tls }),
          ...(registry === undefined ? {} : { registry: registry.view }),
        });
        try {
          await write(io.stdout, `Console of ${place} listening on ${server.url}\n`);
          const signal = await signals.stopped;
          await write(io.stdout, `Stopped on ${signal}\n`);
          return 0;
        } finally {
          await server.close();
          await registry?.opened?.close();
        }
      });
    } finally {
      signals.off();
    }
  },
};
