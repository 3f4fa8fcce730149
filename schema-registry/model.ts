/**
 * The registry's vocabulary: compatibility levels, modes, and the shapes of what it stores and
 * answers. Names and spellings are Confluent Schema Registry's, so a REST body can be passed through.
 */
import { TributaryError } from '../src/index.ts';
import type { CompatibilityIssue, SchemaReference, SchemaType } from './formats/types.ts';

export type { CompatibilityIssue, SchemaReference, SchemaType } from './formats/types.ts';

/** How a new version is checked against the versions before it. */
export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

/** Every compatibility level, in Confluent's order. */
export const COMPATIBILITY_LEVELS: readonly CompatibilityLevel[] = Object.freeze([
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const);

/** The global level of a registry nobody configured. */
export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

/**
 * READWRITE: the normal mode. READONLY and READONLY_OVERRIDE: registrations and deletes are refused
 * (42205). IMPORT: registrations must bring their own id (and may bring their version); no
 * compatibility check.
 */
export type Mode = 'READWRITE' | 'READONLY' | 'READONLY_OVERRIDE' | 'IMPORT';

/** Every {@link Mode}, in Confluent's order. */
export const MODES: readonly Mode[] = Object.freeze(['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const);

/** Whether a mode refuses writes (Confluent's `isReadOnlyMode`). */
export function isReadOnly(mode: Mode): boolean {
  return mode === 'READONLY' || mode === 'READONLY_OVERRIDE';
}

/** The global mode of a registry nobody configured. */
export const DEFAULT_MODE: Mode = 'READWRITE';

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

export function isMode(value: unknown): value is Mode {
  return typeof value === 'string' && (MODES as readonly string[]).includes(value);
}

/** A schema as a client hands it in (`POST /subjects/{s}/versions`). */
export interface SchemaInput {
  schema: string;
  /** Default `AVRO`. */
  schemaType?: SchemaType;
  references?: SchemaReference[];
}

/** A schema as stored under a global id: its text, type and references. */
export interface StoredSchema {
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}

/** One version of one subject. */
export interface SubjectVersion extends StoredSchema {
  subject: string;
  version: number;
  /** Soft-deleted: readable by id and with `deleted=true`, hidden from listings. */
  deleted: boolean;
}

/** Options of {@link SchemaRegistry.register}. */
export interface RegisterOptions {
  /** IMPORT mode only: the global id to register under. */
  id?: number;
  /** IMPORT mode only: the version to register as. */
  version?: number;
  /**
   * Confluent's `normalize=true`: references sorted, an Avro schema stored and identified in its
   * normalised form (custom properties and aliases sorted), so that such differences make no new
   * version.
   */
  normalize?: boolean;
}

/** What a registration answers. */
export interface Registration {
  id: number;
  version: number;
  /** False when the identical schema was registered under the subject already. */
  created: boolean;
}

/** The verdict of a compatibility check. */
export interface CompatibilityResult {
  isCompatible: boolean;
  /**
   * Every issue found, with the version it was found against; empty when compatible. Always set by
   * {@link SchemaRegistry.testCompatibility}; absent from a result read back from Confluent's REST
   * answer (which has `messages` only).
   */
  issues?: CompatibilityFinding[];
  /** One line per issue, then which version and level were checked (Confluent's `verbose` messages). */
  messages: string[];
}

/** A result computed here: its `issues` are always there. */
export type CheckedCompatibility = CompatibilityResult & { issues: CompatibilityFinding[] };

/**
 * One issue of a compatibility check: the format plugin's {@link CompatibilityIssue} (`kind` is
 * Confluent's change type, e.g. `READER_FIELD_MISSING_DEFAULT_VALUE`) and the version it was
 * checked against.
 *
 * @example
 * const result = registry.testCompatibility('users-value', { schema });
 * if (result.issues.some((i) => i.kind === 'READER_FIELD_MISSING_DEFAULT_VALUE')) addDefaults();
 */
export interface CompatibilityFinding extends CompatibilityIssue {
  /** The version the new schema was checked against. */
  version: number;
}

/** A version selector: a number, `latest`, or `-1` (latest). */
export type VersionSelector = number | 'latest';

/**
 * Reads a version as the REST API spells it: a positive integer, `latest`, or `-1` (latest).
 * Throws `INVALID_VERSION` (42202) for anything else.
 */
export function parseVersionSelector(raw: unknown): VersionSelector {
  if (raw === 'latest' || raw === -1 || raw === '-1') return 'latest';
  const n =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 2 ** 31 - 1) return n;
  throw new TributaryError(
    'INVALID_VERSION',
    `The specified version '${String(raw)}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    { version: String(raw) },
  );
}
