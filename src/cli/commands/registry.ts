import { startRegistryServer } from '../../../schema-registry/index.ts';
import { createLogger, logLevel, logLevelFromEnv } from '../../client/logger.ts';
import { openLog } from '../../index.ts';
import { type CliIo, commandGroup, parse, positiveInt, UsageError, write } from '../command.ts';
import { forgetBroker, recordBroker } from '../../log/storage/data-dir.ts';
import { refuseBrokers } from '../cluster.ts';
import { checkDataDir, DIRECTORY_OPTIONS_HELP, inDataDir, LOG_OPTIONS_HELP, logOptions } from '../data-dir.ts';
import { registrySecurityFlags, registrySecurityHelp, registrySecurityOptions } from '../security-flags.ts';

const USAGE = `Usage: trib registry <command> [options]

Commands:
  serve [--port 8081] [--host 127.0.0.1]   serve Confluent's Schema Registry REST API over the log

Options:
${LOG_OPTIONS_HELP}
  -h, --help            show help
`;

const SERVE_HELP = `Usage: trib registry serve [--port 8081] [--host 127.0.0.1]

Serves the schema registry kept in the log's _schemas topic until SIGINT or SIGTERM.
While it runs it owns the data directory, and "trib schemas … --data-dir DIR" reaches the
registry through it (or give "--url URL").
Writes one access log line per request on stderr (JSON, at INFO; TRIB_LOG_LEVEL=warn
turns them off).

Options:
  --port PORT           the port to listen on (default 8081; 0 picks a free one, printed)
  --host HOST           the address to bind (default 127.0.0.1)
${registrySecurityHelp('')}${DIRECTORY_OPTIONS_HELP}
  -h, --help            show help
`;

const subcommands = {
  async serve(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      ...logOptions,
      port: { type: 'string' },
      host: { type: 'string' },
      ...registrySecurityFlags(''),
    });
    if (values.help) return write(io.stdout, SERVE_HELP).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib registry serve takes no arguments');
    const security = registrySecurityOptions(values, '');
    const port = positiveInt(values.port, '--port') ?? 8081;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    refuseBrokers(
      values,
      'registry serve',
      'it keeps the registry in the log of a data directory; trib serve serves one beside its broker',
    );
    const dataDir = await checkDataDir(values, io, values.create === true);
    const log = await openLog({ dataDir }).catch((err) => {
      throw inDataDir(err, dataDir);
    });
    // A server logs its requests by default, as Confluent's does.
    const logger = createLogger({ level: logLevelFromEnv(io.env) ?? logLevel.INFO }).namespace('SchemaRegistry');
    // Signal handlers go on before the server listens, so a signal sent once the URL is printed is never missed.
    let stop: (signal: NodeJS.Signals) => void = () => undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      stop = resolve;
    });
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      const server = await startRegistryServer(log, { port, host: values.host ?? '127.0.0.1', ...security });
      // An observer beside fastify's own handler: one line per request once its answer is sent.
      server.app.server.on('request', (req, res) => {
        const started = performance.now();
        res.once('finish', () => {
          const durationMs = Math.round((performance.now() - started) * 10) / 10;
          logger.info(`${req.method} ${req.url} ${res.statusCode}`, {
            method: req.method,
            url: req.url,
            status: res.statusCode,
            durationMs,
            remote: req.socket.remoteAddress,
          });
        });
      });
      // Beside the lock file, so that trib schemas on this directory finds the registry.
      recordBroker(dataDir, undefined, server.url);
      await write(io.stdout, `Schema registry listening on ${server.url} (data dir ${dataDir})\n`);
      const signal = await stopped;
      forgetBroker(dataDir);
      await server.close();
      await write(io.stdout, `Stopped on ${signal}\n`);
      return 0;
    } catch (err) {
      throw inDataDir(err, dataDir);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await log.close();
    }
  },
};

export const registryCommand = commandGroup('registry', 'serve the schema registry REST API', USAGE, subcommands);
