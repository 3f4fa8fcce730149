/**
 * What a serde needs from a registry, whether it runs in this process ({@link localSource}) or
 * behind Confluent's REST API ({@link RegistryClient} in `client.ts`).
 */
import type { SchemaInput, StoredSchema, SubjectVersion, VersionSelector } from './model.ts';
import type { ParsedSchema } from './formats/types.ts';
import { SchemaRegistry } from './registry.ts';

/**
 * Where serdes find schemas: an in-process {@link SchemaRegistry}, or a registry over HTTP.
 *
 * @example
 * const source: SchemaSource = localSource(await SchemaRegistry.open(log));
 */
export interface SchemaSource {
  /** The schema under a global id. Rejects with `SCHEMA_NOT_FOUND`. */
  schemaById(id: number): Promise<StoredSchema>;
  /** One version of a subject. Rejects with `SUBJECT_NOT_FOUND`, `VERSION_NOT_FOUND`. */
  subjectVersion(subject: string, version: VersionSelector): Promise<SubjectVersion>;
  /** Registers the schema (or finds the identical one registered already): its id. */
  register(subject: string, input: SchemaInput): Promise<{ id: number }>;
  /** The version of `subject` holding this schema. Rejects with `SCHEMA_NOT_FOUND`. */
  lookup(subject: string, input: SchemaInput): Promise<SubjectVersion>;
  /** A parsed schema by id when the source has one at hand (an in-process registry does). */
  parsedById?(id: number): ParsedSchema | undefined;
}

/** A registry in this process, seen as a {@link SchemaSource}. */
export function localSource(registry: SchemaRegistry): SchemaSource {
  return {
    schemaById: async (id) => registry.getSchema(id),
    subjectVersion: async (subject, version) => registry.getVersion(subject, version),
    register: async (subject, input) => ({ id: (await registry.register(subject, input)).id }),
    lookup: async (subject, input) => registry.lookup(subject, input),
    parsedById(id) {
      try {
        return registry.parsedSchema(id);
      } catch {
        return undefined;
      }
    },
  };
}

/** A registry or a source, as a source. */
export function asSchemaSource(registry: SchemaRegistry | SchemaSource): SchemaSource {
  return registry instanceof SchemaRegistry ? localSource(registry) : registry;
}
