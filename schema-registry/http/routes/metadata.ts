/**
 * Confluent's server metadata and contexts: `GET /v1/metadata/id` (the cluster ids, in Confluent's
 * `{id, scope: {path, clusters}}` shape), `GET /v1/metadata/version` (`{version, commitId}`) and
 * `GET /contexts` (only the default context, `.`: the registry has no others).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { REGISTRY_CONTENT_TYPE } from '../content-types.ts';

/** The cluster id `admin.describeCluster()` answers; the registry's is Confluent's default group id. */
const KAFKA_CLUSTER_ID = 'tributary';
const REGISTRY_CLUSTER_ID = 'schema-registry';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function metadataRoutes(app: FastifyInstance): void {
  const version = packageVersion();
  app.get('/v1/metadata/id', async (_req, reply) =>
    reply.type(REGISTRY_CONTENT_TYPE).send({
      id: '',
      scope: {
        path: [],
        clusters: { 'kafka-cluster': KAFKA_CLUSTER_ID, 'schema-registry-cluster': REGISTRY_CLUSTER_ID },
      },
    }),
  );
  app.get('/v1/metadata/version', async (_req, reply) =>
    reply.type(REGISTRY_CONTENT_TYPE).send({ version, commitId: '' }),
  );
  app.get('/contexts', async (_req, reply) => reply.type(REGISTRY_CONTENT_TYPE).send(['.']));
}
