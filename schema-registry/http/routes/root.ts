/** `GET /` and `GET /schemas/types`. */
import type { FastifyInstance } from 'fastify';
import { schemaTypes } from '../../formats/index.ts';
import { REGISTRY_CONTENT_TYPE } from '../content-types.ts';

export function rootRoutes(app: FastifyInstance): void {
  app.get('/', async (_req, reply) => reply.type(REGISTRY_CONTENT_TYPE).send({}));
  app.get('/schemas/types', async (_req, reply) => reply.type(REGISTRY_CONTENT_TYPE).send(schemaTypes));
}
