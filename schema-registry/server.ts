/**
 * The registry's REST server: Confluent Schema Registry's API v1 over fastify, so that existing
 * clients (`@kafkajs/confluent-schema-registry`, `@confluentinc/schemaregistry`, the Java serdes…)
 * work against it unchanged.
 *
 * @example
 * const log = await openLog({ dataDir: './.tributary' });
 * const server = await startRegistryServer(log, { port: 8081 });
 * console.log(`schema registry on ${server.url}`);
 * // … later
 * await server.close(); // the log stays open: it is the caller's
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { defaultAllowedHosts, type LogBackend } from '../src/index.ts';
import { installRegistryAuth, type RegistryAuthOptions } from './http/auth.ts';
import { installBodyParsers } from './http/content-types.ts';
import { frameworkError, installErrorHandlers } from './http/errors.ts';
import { compatibilityRoutes } from './http/routes/compatibility.ts';
import { configRoutes } from './http/routes/config.ts';
import { metadataRoutes } from './http/routes/metadata.ts';
import { modeRoutes } from './http/routes/mode.ts';
import { rootRoutes } from './http/routes/root.ts';
import { schemaRoutes } from './http/routes/schemas.ts';
import { subjectRoutes } from './http/routes/subjects.ts';
import { SchemaRegistry, type SchemaRegistryOptions } from './registry.ts';

/** Options of the HTTP app. */
export interface RegistryAppOptions extends RegistryAuthOptions {
  /** Largest request body accepted, in bytes; larger ones get 413. Default 4 MiB. */
  bodyLimit?: number;
  /** fastify's logger option. Default off. */
  logger?: boolean;
}

/** Options of {@link startRegistryServer}. */
export interface RegistryServerOptions extends RegistryAppOptions, SchemaRegistryOptions {
  /** Default 8081, Confluent's port; 0 picks a free one. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** HTTPS: PEM certificate chain and key (e.g. from `readFileSync`). Default plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer; passphrase?: string };
}

/** A running registry server. */
export interface RegistryServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly registry: SchemaRegistry;
  readonly app: FastifyInstance;
  /** Stops listening and waits for the registry's writes; the log stays open. */
  close(): Promise<void>;
}

/** The largest request body the registry server takes by default, 4 MiB (`bodyLimit`). */
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * The fastify app serving a registry, not listening: `app.inject()` drives it in tests.
 *
 * @example
 * const app = buildRegistryApp(registry);
 * const res = await app.inject({ method: 'GET', url: '/subjects' });
 */
export function buildRegistryApp(
  registry: SchemaRegistry,
  options: RegistryAppOptions = {},
  https?: RegistryServerOptions['tls'],
): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    ...(https === undefined ? {} : { https }),
    logger: options.logger ?? false,
    bodyLimit,
    // Subjects longer than the registry allows still reach a route, which answers in Confluent's
    // terms (42208 on writes, 40401 on reads) instead of the router's 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 64 * 1024 },
    frameworkErrors: frameworkError,
  });
  installBodyParsers(app, bodyLimit);
  installErrorHandlers(app);
  installRegistryAuth(app, options);
  rootRoutes(app);
  subjectRoutes(app, registry);
  schemaRoutes(app, registry);
  compatibilityRoutes(app, registry);
  configRoutes(app, registry);
  modeRoutes(app, registry);
  metadataRoutes(app);
  return app;
}

/**
 * Opens a registry on `source` (a log, or a registry opened already) and serves it over HTTP.
 */
export async function startRegistryServer(
  source: LogBackend | SchemaRegistry,
  options: RegistryServerOptions = {},
): Promise<RegistryServer> {
  const registry = source instanceof SchemaRegistry ? source : await SchemaRegistry.open(source, options);
  const host = options.host ?? '127.0.0.1';
  // On loopback, only the server's own names are answered unless told otherwise (DNS rebinding);
  // the list needs the port, known once listening.
  let port = options.port ?? 8081;
  const allowedHosts = options.allowedHosts ?? (() => defaultAllowedHosts(host, port));
  const app = buildRegistryApp(registry, { ...options, allowedHosts }, options.tls);
  await app.listen({ port: options.port ?? 8081, host });
  const address = app.server.address();
  port = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${urlHost}:${port}`,
    port,
    host,
    registry,
    app,
    async close() {
      await app.close();
      if (!(source instanceof SchemaRegistry)) await registry.close();
    },
  };
}
