/**
 * Request bodies as Confluent Schema Registry takes them: JSON under its own media types,
 * `application/json`, and (as Confluent does) `application/octet-stream`. Every other media type is
 * refused with 415, a body over the limit with 413, and text that is not JSON with 400.
 */
import type { FastifyInstance } from 'fastify';

/** The media type of every answer. */
export const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** The media types a request body may have. */
export const ACCEPTED_CONTENT_TYPES: readonly string[] = Object.freeze([
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/octet-stream',
]);

/** A parse failure the error handler answers with its status. */
class BodyError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

/** Replaces fastify's parsers with the registry's JSON parser for every accepted media type. */
export function installBodyParsers(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...ACCEPTED_CONTENT_TYPES], { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // Clients send the JSON content type on bodiless DELETEs and GETs: no body is no body.
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new BodyError(`Unrecognized JSON in the request body: ${(err as Error).message}`, 400), undefined);
    }
  });
}
