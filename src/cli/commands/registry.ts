import { startRegistryServer } from '../../../schema-registry/index.ts';
import { openLog } from '../../index.ts';
import { type CliIo, DATA_DIR_HELP, dispatch, parse, positiveInt, UsageError, write } from '../command.ts';

const USAGE = `Usage: trib registry <command> [options]

Commands:
  serve [--port 8081] [--host 127.0.0.1]   serve Confluent's Schema Registry REST API over the log

Options:
${DATA_DIR_HELP}
  -h, --help            show help
`;

const SERVE_HELP = `Usage: trib registry serve [--port 8081] [--host 127.0.0.1]

Serves the schema registry kept in the log's _schemas topic until SIGINT or SIGTERM.
While it runs it owns the data directory: use "trib schemas … --url URL" to reach it.

Options:
  --port PORT           the port to listen on (default 8081; 0 picks a free one, printed)
  --host HOST           the address to bind (default 127.0.0.1)
${DATA_DIR_HELP}
  -h, --help            show help
`;

const subcommands = {
  async serve(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { port: { type: 'string' }, host: { type: 'string' } });
    if (values.help) return write(io.stdout, SERVE_HELP).then(() => 0);
    if (positionals.length > 0) throw new UsageError('trib registry serve takes no arguments');
    const port = positiveInt(values.port, '--port') ?? 8081;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const log = await openLog({ dataDir: values['data-dir'] ?? io.env.TRIBUTARY_DATA_DIR ?? './.tributary' });
    // Signal handlers go on before the server listens, so a signal sent once the URL is printed is never missed.
    let stop: (signal: NodeJS.Signals) => void = () => undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      stop = resolve;
    });
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      const server = await startRegistryServer(log, { port, host: values.host ?? '127.0.0.1' });
      await write(io.stdout, `Schema registry listening on ${server.url}\n`);
      const signal = await stopped;
      await server.close();
      await write(io.stdout, `Stopped on ${signal}\n`);
      return 0;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await log.close();
    }
  },
};

export const registryCommand = {
  summary: 'serve the schema registry REST API',
  run: (args: string[], io: CliIo) => dispatch('registry', USAGE, subcommands, args, io),
};
