/**
 * The console's HTTP server: the JSON API under `/api/`, `/metrics`, and the page itself (static
 * files, with Preact, htm and uPlot served from the installed packages, so it works offline).
 *
 * Every answer carries a Content-Security-Policy without inline scripts or styles, and the page
 * writes every name, key, value and header as text, never as HTML. Bound to a loopback address,
 * the server answers only requests whose `Host` names it (`localhost`, `127.0.0.1`, `[::1]`, or
 * `allowedHosts`), so a page on another site cannot reach it through DNS rebinding.
 *
 * @example
 * const log = await openLog({ dataDir: './.tributary' });
 * const console = await startConsole({ log, port: 8080 });
 * console.url; // 'http://127.0.0.1:8080'
 * await console.close(); // the log stays open: it is the caller's
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Producer } from '../client/producer.ts';
import { Tributary } from '../client/tributary.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { LogBackend } from '../log/backend.ts';
import type { Histogram } from '../broker/request-metrics.ts';
import { type HttpAuthOptions, isLoopback } from '../security/http.ts';
import { installConsoleAuth } from './auth.ts';
import type { ConsoleLog } from './console-log.ts';
import { type ConsoleRegistry, FieldDecoder } from './decode.ts';
import { installErrorAnswers } from './http-errors.ts';
import { ConsoleMetrics } from './metrics.ts';
import { type ConsoleContext, readOnlyGuard } from './routes/context.ts';
import { groupRoutes } from './routes/groups.ts';
import { messageRoutes } from './routes/messages.ts';
import { overviewRoutes } from './routes/overview.ts';
import { schemaRoutes } from './routes/schemas.ts';
import { topicRoutes } from './routes/topics.ts';
import { StreamsApps } from './streams-apps.ts';

/** Options of {@link buildConsoleApp} and {@link startConsole}. */
export interface ConsoleOptions {
  /** The log the console shows and reads: an embedded log, or a {@link ConsoleLog} over the wire. */
  log: ConsoleLog;
  /**
   * The clients' entry point for groups and producing. Default: a `Tributary` on `log`, which must
   * then be an embedded log; give the wire `Tributary` with a wire `log`.
   */
  tributary?: Tributary;
  /**
   * The schema registry to browse and decode with (`consoleRegistry(registry)` from
   * `tributary/schema-registry`, or any {@link ConsoleRegistry}). Default: none.
   */
  registry?: ConsoleRegistry;
  /** Hide and refuse every action that changes data. Default false. */
  readOnly?: boolean;
  /** Default `127.0.0.1`: nothing is opened to the network unless asked. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Host names (without port) accepted in the `Host` header besides the loopback names. */
  allowedHosts?: string[];
  /**
   * Basic-auth users and bearer tokens with read, write or admin roles (see `auth.ts`). Default:
   * no authentication (the console then relies on binding loopback).
   */
  auth?: HttpAuthOptions;
  /** Serve HTTPS with this certificate and key. */
  tls?: { cert: string | Buffer; key: string | Buffer; passphrase?: string };
  /** A broker serving the same log: its request latencies go on `/metrics` too. */
  broker?: {
    /** Its request latencies per API. */
    requestMetrics: {
      /** The histograms as they stand. */
      snapshot(): Histogram[];
    };
  };
  /** Time between metrics samples, ms. Default 5,000. */
  metricsIntervalMs?: number;
  clock?: Clock;
  /** fastify's logger option. Default off. */
  logger?: boolean;
}

/** A console app, not listening: `app.inject()` drives it in tests. */
export interface ConsoleApp {
  readonly app: FastifyInstance;
  readonly metrics: ConsoleMetrics;
  /** Register Kafka Streams applications to show. */
  readonly streams: StreamsApps;
  /** Stops the metrics and the producer; the log stays open. */
  close(): Promise<void>;
}

/** A running console. */
export interface ConsoleServer extends ConsoleApp {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** The address it listens on, with the port actually bound. */
  address(): { host: string; port: number };
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];
const UI_DIR = join(dirname(fileURLToPath(import.meta.url)), 'ui');
const require = createRequire(import.meta.url);

/**
 * A file of an installed package, found from the package's main entry (their `exports` maps do not
 * all expose the browser builds the page needs).
 */
function packageFile(name: string, file: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, file))) return join(dir, file);
    const up = dirname(dir);
    if (up === dir) throw new Error(`Cannot find ${file} of the ${name} package`);
    dir = up;
  }
}

/** The page's files: its own and the libraries it imports, by URL path. */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  '/': { file: () => join(UI_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: () => join(UI_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/views.js': { file: () => join(UI_DIR, 'views.js'), type: 'text/javascript; charset=utf-8' },
  '/graph.js': { file: () => join(UI_DIR, 'graph.js'), type: 'text/javascript; charset=utf-8' },
  '/favicon.ico': { file: () => join(UI_DIR, 'favicon.svg'), type: 'image/svg+xml' },
  '/style.css': { file: () => join(UI_DIR, 'style.css'), type: 'text/css; charset=utf-8' },
  '/vendor/preact.js': {
    file: () => packageFile('htm', 'preact/standalone.module.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/vendor/uplot.js': {
    file: () => require.resolve('uplot/dist/uPlot.esm.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/vendor/uplot.css': { file: () => packageFile('uplot', 'dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The host name of a `Host` header, without its port. */
function hostName(header: string | undefined): string {
  if (header === undefined) return '';
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return colon < 0 ? header : header.slice(0, colon);
}

/** Builds the console over `options.log`, without listening. */
export function buildConsoleApp(options: ConsoleOptions): ConsoleApp {
  const host = options.host ?? '127.0.0.1';
  const readOnly = options.readOnly === true;
  const clock = options.clock ?? systemClock;
  const ownTributary = options.tributary === undefined;
  const tributary = options.tributary ?? new Tributary({ log: options.log as LogBackend, clock, logLevel: 0 });
  const admin = tributary.admin();
  const adminReady = admin.connect();
  const lastWrite = new Map<string, number>();
  const metrics = new ConsoleMetrics({
    log: options.log,
    admin,
    clock,
    lastWrite,
    ...(options.broker === undefined ? {} : { brokerRequests: options.broker.requestMetrics }),
    ...(options.metricsIntervalMs === undefined ? {} : { intervalMs: options.metricsIntervalMs }),
  });
  const streams = new StreamsApps((on) => on.includes(options.log) || on.includes(tributary));
  let producer: Promise<Producer> | undefined;
  const ctx: ConsoleContext = {
    log: options.log,
    admin,
    registry: options.registry,
    readOnly,
    decoder: new FieldDecoder(options.registry),
    metrics,
    streams,
    lastWrite,
    producer: () => {
      producer ??= (async () => {
        const p = tributary.producer();
        await p.connect();
        return p;
      })();
      return producer;
    },
    writable: readOnlyGuard(readOnly),
    now: () => clock.now(),
  };

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 2 * 1024 * 1024,
    forceCloseConnections: true,
    ...(options.tls === undefined ? {} : { https: options.tls }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
  });
  const allowed = new Set([...(isLoopback(host) ? LOOPBACK_NAMES : []), ...(options.allowedHosts ?? [])]);
  const checkHost = isLoopback(host) || (options.allowedHosts?.length ?? 0) > 0;
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('x-frame-options', 'DENY');
    if (checkHost && !allowed.has(hostName(request.headers.host).toLowerCase())) {
      return reply.status(403).type('application/json; charset=utf-8').send({
        error: 'HOST_NOT_ALLOWED',
        message: 'This console answers only requests for its own host names',
      });
    }
    await adminReady;
  });
  installConsoleAuth(app, options.auth);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    if (route.startsWith('/api/') || route === '/metrics') metrics.observeRequest(route, reply.elapsedTime);
  });
  installErrorAnswers(app);
  overviewRoutes(app, ctx);
  topicRoutes(app, ctx);
  messageRoutes(app, ctx);
  groupRoutes(app, ctx);
  schemaRoutes(app, ctx);
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_request, reply) => {
      const body = await readFile(asset.file());
      return reply.type(asset.type).header('cache-control', 'no-cache').send(body);
    });
  }

  return {
    app,
    metrics,
    streams,
    close: async () => {
      await metrics.stop();
      if (producer !== undefined) await (await producer).disconnect();
      await admin.disconnect();
      if (ownTributary) await tributary.close();
    },
  };
}

/** Starts the console and its metrics sampling; resolves once it listens. */
export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  const built = buildConsoleApp(options);
  try {
    await built.app.listen({ host, port: options.port ?? 8080 });
  } catch (err) {
    await built.close();
    throw err;
  }
  built.metrics.start();
  const address = built.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 8080);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    ...built,
    url: `${options.tls === undefined ? 'http' : 'https'}://${shownHost}:${port}`,
    address: () => ({ host, port }),
    close: async () => {
      await built.app.close();
      await built.close();
    },
  };
}
