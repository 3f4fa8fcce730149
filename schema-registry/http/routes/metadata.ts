/**
 * Confluent's server metadata and contexts: `GET /v1/metadata/id` (the cluster ids, in Confluent's
 * `{id, scope: {path, clusters}}` shape), `GET /v1/metadata/version` (`{version, commitId}`) and
 * `GET /contexts` (only the default context, `.`: the registry has no others).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { REGISTRY_CONTENT_TYPE } from '../content-types.ts';

/** The cluster id `admin.describeCluster()` answers; the registry's is Confluent's default group id. */
const KAFKA_CLUSTER_ID = 'tributary';
const REGISTRY_CLUSTER_ID = 'schema-registry';

/**
 * The version in Tributary's package.json, found by walking up from this module: the sources sit at
 * schema-registry/http/routes/, the published bundle at dist/esm/.
 */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'tributary') return typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      // no package.json here (or not readable): keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
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
