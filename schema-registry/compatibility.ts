/**
 * Compatibility levels turned into plugin checks. BACKWARD: the new schema reads what the old ones
 * wrote; FORWARD: the old ones read what the new one writes; FULL: both. A non-transitive level is
 * checked against the latest live version only, a `_TRANSITIVE` one against every live version.
 */
import type { FormatPlugin, ParsedSchema } from './formats/types.ts';
import type { CompatibilityLevel, CompatibilityResult } from './model.ts';

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
): CompatibilityResult {
  if (level === 'NONE') return { isCompatible: true, messages: [] };
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const messages: string[] = [];
  // Newest first: the most relevant incompatibility is reported first.
  for (const old of [...previous].reverse()) {
    if (old.parsed.schemaType !== candidate.schemaType) {
      messages.push(
        issueMessage('TYPE_MISMATCH', `Incompatible schema type: version ${old.version} is ${old.parsed.schemaType}, the new schema is ${candidate.schemaType}`, '/'),
      );
    } else {
      const issues = [
        ...(backward ? plugin.checkCompatibility(candidate, old.parsed) : []),
        ...(forward ? plugin.checkCompatibility(old.parsed, candidate) : []),
      ];
      if (issues.length === 0) continue;
      for (const issue of issues) {
        const match = /^([A-Z][A-Z_]+):\s*(.*)$/s.exec(issue.message);
        messages.push(issueMessage(match?.[1] ?? 'INCOMPATIBLE', match?.[2] ?? issue.message, issue.path));
      }
    }
    messages.push(`{oldSchemaVersion: ${old.version}}`);
    messages.push(`{oldSchema: '${old.schema}'}`);
    messages.push(`{compatibility: '${level}'}`);
  }
  return { isCompatible: messages.length === 0, messages };
}

function issueMessage(errorType: string, description: string, path: string): string {
  return `{errorType:'${errorType}', description:'${description}', path:'${path}'}`;
}
