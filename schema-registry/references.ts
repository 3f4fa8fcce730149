/**
 * Resolving a schema's references (Avro named types, Protobuf imports, JSON Schema `$ref`s to other
 * subjects) into the texts a format plugin parses: depth first, each with its own references
 * resolved, so the plugin never calls back into the registry.
 */
import { TributaryError } from '../src/index.ts';
import type { ResolvedReference } from './formats/types.ts';
import type { SchemaReference, SubjectVersion } from './model.ts';

/** Finds one version of a subject; soft-deleted versions count (they stay readable). */
export type VersionLookup = (subject: string, version: number) => SubjectVersion | undefined;

/** Same as {@link VersionLookup}, for a registry reached over the network. */
export type AsyncVersionLookup = (subject: string, version: number) => Promise<SubjectVersion | undefined>;

/**
 * Resolves references recursively against the registry's own state. Throws `INVALID_SCHEMA` for a
 * reference to a missing subject or version, or for a cycle.
 */
export function resolveReferences(
  references: readonly SchemaReference[],
  lookup: VersionLookup,
  path: readonly string[] = [],
): ResolvedReference[] {
  return references.map((ref) => {
    const key = `${ref.subject}:${ref.version}`;
    if (path.includes(key)) throw cycle(ref, path);
    const found = lookup(ref.subject, ref.version);
    if (found === undefined) throw missing(ref);
    return {
      name: ref.name,
      subject: ref.subject,
      version: found.version,
      schemaType: found.schemaType,
      schema: found.schema,
      references: resolveReferences(found.references, lookup, [...path, key]),
    };
  });
}

/** {@link resolveReferences} over an asynchronous lookup (a REST client). */
export async function resolveReferencesAsync(
  references: readonly SchemaReference[],
  lookup: AsyncVersionLookup,
  path: readonly string[] = [],
): Promise<ResolvedReference[]> {
  const out: ResolvedReference[] = [];
  for (const ref of references) {
    const key = `${ref.subject}:${ref.version}`;
    if (path.includes(key)) throw cycle(ref, path);
    const found = await lookup(ref.subject, ref.version);
    if (found === undefined) throw missing(ref);
    out.push({
      name: ref.name,
      subject: ref.subject,
      version: found.version,
      schemaType: found.schemaType,
      schema: found.schema,
      references: await resolveReferencesAsync(found.references, lookup, [...path, key]),
    });
  }
  return out;
}

/** Checks the shape of references a client sent; throws `INVALID_SCHEMA` naming the bad one. */
export function validateReferences(value: unknown): SchemaReference[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new TributaryError('INVALID_SCHEMA', 'Invalid schema: references must be an array');
  return value.map((ref, i) => {
    const r = ref as Partial<SchemaReference> | null;
    const ok =
      r !== null &&
      typeof r === 'object' &&
      typeof r.name === 'string' &&
      r.name.length > 0 &&
      typeof r.subject === 'string' &&
      r.subject.length > 0 &&
      typeof r.version === 'number' &&
      Number.isInteger(r.version) &&
      (r.version > 0 || r.version === -1);
    if (!ok) {
      throw new TributaryError(
        'INVALID_SCHEMA',
        `Invalid schema: reference ${i} must have a non-empty name and subject and an integer version`,
      );
    }
    return { name: r.name!, subject: r.subject!, version: r.version! };
  });
}

function missing(ref: SchemaReference): TributaryError {
  return new TributaryError(
    'INVALID_SCHEMA',
    `Invalid schema: reference '${ref.name}' to subject '${ref.subject}' version ${ref.version} does not exist`,
    { subject: ref.subject, version: ref.version },
  );
}

function cycle(ref: SchemaReference, path: readonly string[]): TributaryError {
  return new TributaryError(
    'INVALID_SCHEMA',
    `Invalid schema: circular reference through ${[...path, `${ref.subject}:${ref.version}`].join(' -> ')}`,
  );
}
