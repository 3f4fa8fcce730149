/**
 * Configs: `GET|PUT|DELETE /config` (global) and `GET|PUT|DELETE /config/{s}`, with Confluent's
 * fields `compatibilityLevel` (`compatibility` in a PUT body) and `normalize`. A PUT changes the
 * fields it gives and keeps the others. A subject without its own config answers GET with 404 40408
 * unless `defaultToGlobal=true`, and DELETE with 404 40401.
 */
import type { FastifyInstance } from 'fastify';
import { TributaryError } from '../../../src/index.ts';
import type { SchemaRegistry } from '../../registry.ts';
import type { ConfigSetting } from '../../state.ts';
import { REGISTRY_CONTENT_TYPE } from '../content-types.ts';
import { flag, type Query } from '../params.ts';

type Route = { Params: { subject?: string }; Querystring: Query };

/** A config as Confluent answers it: `compatibilityLevel`, then `normalize` when set. */
function configBody(config: ConfigSetting, levelField = 'compatibilityLevel'): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (config.compatibilityLevel !== undefined) body[levelField] = config.compatibilityLevel;
  if (config.normalize !== undefined) body['normalize'] = config.normalize;
  return body;
}

/** A PUT body: `compatibility` (any case) and/or `normalize`. */
function configUpdate(body: unknown): { compatibility?: string; normalize?: boolean } {
  const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const level = b['compatibility'] ?? b['compatibilityLevel'];
  const normalize = b['normalize'];
  if (
    (level !== undefined && level !== null && typeof level !== 'string') ||
    (normalize !== undefined && normalize !== null && typeof normalize !== 'boolean')
  ) {
    throw new TributaryError(
      'INVALID_COMPATIBILITY_LEVEL',
      'The request body must be a JSON object with a string "compatibility" and/or a boolean "normalize" field',
    );
  }
  return {
    ...(typeof level === 'string' ? { compatibility: level.toUpperCase() } : {}),
    ...(typeof normalize === 'boolean' ? { normalize } : {}),
  };
}

export function configRoutes(app: FastifyInstance, registry: SchemaRegistry): void {
  const subjectOf = (params: { subject?: string }) => params.subject ?? null;

  for (const path of ['/config', '/config/:subject']) {
    app.get<Route>(path, async (req, reply) => {
      const config = registry.getConfig(subjectOf(req.params), { defaultToGlobal: flag(req.query, 'defaultToGlobal') });
      return reply.type(REGISTRY_CONTENT_TYPE).send(configBody(config));
    });
    app.put<Route>(path, async (req, reply) => {
      const update = configUpdate(req.body);
      await registry.updateConfig(subjectOf(req.params), update);
      // Confluent answers the request's fields.
      const answer: ConfigSetting = {
        ...(update.compatibility === undefined
          ? {}
          : { compatibilityLevel: update.compatibility as ConfigSetting['compatibilityLevel'] }),
        ...(update.normalize === undefined ? {} : { normalize: update.normalize }),
      };
      return reply.type(REGISTRY_CONTENT_TYPE).send(configBody(answer, 'compatibility'));
    });
    app.delete<Route>(path, async (req, reply) => {
      const previous = await registry.deleteConfig(subjectOf(req.params));
      return reply.type(REGISTRY_CONTENT_TYPE).send(configBody(previous));
    });
  }
}
