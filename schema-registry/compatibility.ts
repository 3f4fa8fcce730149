/**
 * Compatibility levels turned into plugin checks. BACKWARD: the new schema reads what the old ones
 * wrote; FORWARD: the old ones read what the new one writes; FULL: both. A non-transitive level is
 * checked against the latest live version only, a `_TRANSITIVE` one against every live version.
 */
import { TributaryError } from '../src/index.ts';
import type { CompatibilityIssue, FormatPlugin, ParsedSchema } from './formats/types.ts';
import type { CheckedCompatibility, CompatibilityFinding, CompatibilityLevel } from './model.ts';

/** A previous version, parsed. */
export interface PreviousVersion {
  version: number;
  schema: string;
  parsed: ParsedSchema;
}

/** Which of the live versions (oldest first) a level checks against. */
export function versionsToCheck<T>(level: CompatibilityLevel, live: readonly T[]): T[] {
  if (level === 'NONE' || live.length === 0) return [];
  if (level.endsWith('_TRANSITIVE')) return [...live];
  return [live[live.length - 1]!];
}

/**
 * Checks `candidate` against each previous version with the level's direction. Messages follow
 * Confluent's verbose form: one per issue, then the old version, the old schema and the level.
 */
export function checkCompatibility(
  plugin: FormatPlugin,
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: readonly PreviousVersion[],
): CheckedCompatibility {
  if (level === 'NONE') return { isCompatible: true, issues: [], messages: [] };
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const messages: string[] = [];
  const found: CompatibilityFinding[] = [];
  // Newest first: the most relevant incompatibility is reported first.
  for (const old of [...previous].reverse()) {
    const issues: CompatibilityIssue[] =
      old.parsed.schemaType !== candidate.schemaType
        ? [
            {
              kind: 'TYPE_MISMATCH',
              path: '/',
              message: `Incompatible schema type: version ${old.version} is ${old.parsed.schemaType}, the new schema is ${candidate.schemaType}`,
            },
          ]
        : [
            ...(backward ? compare(plugin, candidate, old.parsed) : []),
            ...(forward ? compare(plugin, old.parsed, candidate) : []),
          ];
    if (issues.length === 0) continue;
    for (const issue of issues) {
      found.push({ ...issue, version: old.version });
      messages.push(issueMessage(issue.kind, issue.message, issue.path));
    }
    messages.push(`{oldSchemaVersion: ${old.version}}`);
    messages.push(`{oldSchema: '${old.schema}'}`);
    messages.push(`{compatibility: '${level}'}`);
  }
  return { isCompatible: found.length === 0, issues: found, messages };
}

/** A plugin's check, where a library's own failure (a stack overflow on a deep schema) is an invalid schema. */
function compare(plugin: FormatPlugin, reader: ParsedSchema, writer: ParsedSchema) {
  try {
    return plugin.checkCompatibility(reader, writer);
  } catch (err) {
    if (err instanceof TributaryError) throw err;
    throw new TributaryError(
      'INVALID_SCHEMA',
      `Invalid schema: cannot be compared: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

function issueMessage(errorType: string, description: string, path: string): string {
  return `{errorType:'${errorType}', description:'${description}', path:'${path}'}`;
}
