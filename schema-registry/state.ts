/**
 * The registry's state in memory, as a fold over the records of `_schemas`: replay at start and
 * every later write go through the same {@link RegistryState.apply}, so what a restart rebuilds is
 * what was there before.
 */
import type { ParsedSchema } from './formats/types.ts';
import type { CompatibilityLevel, Mode, SchemaReference, StoredSchema, SubjectVersion } from './model.ts';
import type { ConfigValue, SchemaValue, StoreRecord } from './store-records.ts';

/** A subject's (or the global) config: Confluent's fields the registry uses. */
export interface ConfigSetting {
  compatibilityLevel?: CompatibilityLevel;
  /** Normalise every schema registered or looked up, as `normalize=true` does. */
  normalize?: boolean;
}

/** A schema under its global id, with its parsed form once someone needed it. */
export interface SchemaEntry extends StoredSchema {
  /** Identity: equal keys are the same schema (canonical form + references). */
  identity: string;
  parsed?: ParsedSchema;
}

/** Computes a stored schema's identity key (and its parsed form when the format can parse it). */
export type Identify = (value: SchemaValue) => { identity: string; parsed?: ParsedSchema };

export class RegistryState {
  private readonly subjects = new Map<string, Map<number, SubjectVersion>>();
  private readonly ids = new Map<number, SchemaEntry>();
  /** Subject-versions per id: an id lives while one of them does. */
  private readonly usages = new Map<number, Map<string, SubjectVersion>>();
  /** Identity → id: every stored text's identity names the id its record holds (first wins). */
  private readonly identities = new Map<string, number>();
  /**
   * Identity of each subject-version's own text. Why per version: a registry written under an
   * older identity may hold one id with several texts, and each must still be found as stored.
   */
  private readonly versionIdentities = new Map<string, string>();
  private readonly configs = new Map<string | null, ConfigSetting>();
  private readonly modes = new Map<string | null, Mode>();
  private highestId = 0;
  /** Bumped on every change, so callers can cache answers. */
  generation = 0;

  constructor(private readonly identify: Identify) {}

  apply(record: StoreRecord): void {
    this.generation++;
    switch (record.key.keytype) {
      case 'SCHEMA':
        if (record.value === null) this.removeVersion(record.key.subject, record.key.version);
        else this.putVersion(record.value as SchemaValue);
        return;
      case 'CONFIG':
        if (record.value === null) this.configs.delete(record.key.subject);
        else {
          const { compatibilityLevel, normalize } = record.value as ConfigValue;
          this.configs.set(record.key.subject, {
            ...(compatibilityLevel === undefined ? {} : { compatibilityLevel }),
            ...(normalize === undefined ? {} : { normalize }),
          });
        }
        return;
      case 'MODE':
        if (record.value === null) this.modes.delete(record.key.subject);
        else this.modes.set(record.key.subject, (record.value as { mode: Mode }).mode);
        return;
      case 'DELETE_SUBJECT': {
        const upTo = (record.value as { version: number } | null)?.version;
        if (upTo === undefined) return;
        for (const v of this.subjects.get(record.key.subject)?.values() ?? []) {
          if (v.version <= upTo) v.deleted = true;
        }
        return;
      }
      case 'CLEAR_SUBJECT':
        if (record.value === null) return;
        for (const v of [...(this.subjects.get(record.key.subject)?.values() ?? [])]) {
          if (v.deleted) this.removeVersion(v.subject, v.version);
        }
        return;
      case 'NOOP':
        return;
      case 'MAX_ID':
        this.highestId = Math.max(this.highestId, (record.value as { maxId: number }).maxId);
        return;
    }
  }

  /** Every version of a subject, soft-deleted ones included, oldest first. */
  versions(subject: string): SubjectVersion[] {
    const versions = this.subjects.get(subject);
    if (versions === undefined) return [];
    return [...versions.values()].sort((a, b) => a.version - b.version);
  }

  /** The versions that are not soft-deleted, oldest first. */
  liveVersions(subject: string): SubjectVersion[] {
    return this.versions(subject).filter((v) => !v.deleted);
  }

  version(subject: string, version: number): SubjectVersion | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  /** Subjects with at least one version (soft-deleted ones count when `deleted`). */
  subjectNames(deleted: boolean): string[] {
    const names: string[] = [];
    for (const [name, versions] of this.subjects) {
      if ([...versions.values()].some((v) => deleted || !v.deleted)) names.push(name);
    }
    return names.sort();
  }

  schema(id: number): SchemaEntry | undefined {
    return this.ids.get(id);
  }

  /** The subject-versions that use a schema id. */
  usagesOf(id: number): SubjectVersion[] {
    return [...(this.usages.get(id)?.values() ?? [])].sort((a, b) =>
      a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1,
    );
  }

  idForIdentity(identity: string): number | undefined {
    return this.identities.get(identity);
  }

  /** The identity of one subject-version's text. */
  identityOf(subject: string, version: number): string | undefined {
    return this.versionIdentities.get(`${subject}\u0000${version}`);
  }

  /** Every subject-version whose references name `subject` at `version`. */
  referrers(subject: string, version: number): SubjectVersion[] {
    const out: SubjectVersion[] = [];
    for (const versions of this.subjects.values()) {
      for (const v of versions.values()) {
        if (v.references.some((r: SchemaReference) => r.subject === subject && r.version === version)) out.push(v);
      }
    }
    return out;
  }

  /** The level configured for a subject (`null`: the global one), if any. */
  config(subject: string | null): CompatibilityLevel | undefined {
    return this.configs.get(subject)?.compatibilityLevel;
  }

  /** Everything configured for a subject (`null`: globally), if anything. */
  configSetting(subject: string | null): ConfigSetting | undefined {
    return this.configs.get(subject);
  }

  mode(subject: string | null): Mode | undefined {
    return this.modes.get(subject);
  }

  /** The highest id ever seen; the next new schema gets one more. */
  get maxId(): number {
    return this.highestId;
  }

  /** All schema ids, ascending. */
  allIds(): number[] {
    return [...this.ids.keys()].sort((a, b) => a - b);
  }

  /**
   * Identifies again the schemas that could not be parsed when their record was applied (a
   * reference that compaction moved after its referrer): called once replay is over.
   */
  reidentify(): void {
    for (const [key, identity] of this.versionIdentities) {
      if (!identity.includes('\u0000raw:')) continue;
      const [subject, version] = key.split('\u0000') as [string, string];
      const v = this.version(subject, Number(version));
      if (v === undefined) continue;
      const again = this.identify({ ...v }).identity;
      this.versionIdentities.set(key, again);
      if (!this.identities.has(again)) this.identities.set(again, v.id);
    }
    for (const entry of this.ids.values()) {
      if (entry.parsed !== undefined) continue;
      const usage = this.usagesOf(entry.id)[0];
      if (usage === undefined) continue;
      const { identity, parsed } = this.identify({ ...usage, deleted: usage.deleted });
      if (parsed === undefined) continue;
      if (this.identities.get(entry.identity) === entry.id) this.identities.delete(entry.identity);
      entry.identity = identity;
      entry.parsed = parsed;
      if (!this.identities.has(identity)) this.identities.set(identity, entry.id);
    }
  }

  /** Remembers a parsed form computed later (for schemas that replay could not parse). */
  cacheParsed(id: number, parsed: ParsedSchema): void {
    const entry = this.ids.get(id);
    if (entry !== undefined) entry.parsed = parsed;
  }

  private putVersion(value: SchemaValue): void {
    let versions = this.subjects.get(value.subject);
    if (versions === undefined) this.subjects.set(value.subject, (versions = new Map()));
    const previous = versions.get(value.version);
    if (previous !== undefined && previous.id !== value.id) this.release(previous);
    const entry: SubjectVersion = {
      subject: value.subject,
      version: value.version,
      id: value.id,
      schemaType: value.schemaType,
      schema: value.schema,
      references: value.references,
      deleted: value.deleted,
    };
    versions.set(value.version, entry);
    this.highestId = Math.max(this.highestId, value.id);
    const known = this.ids.get(value.id);
    let identity: string;
    if (known === undefined) {
      const identified = this.identify(value);
      identity = identified.identity;
      this.ids.set(value.id, {
        id: value.id,
        schemaType: value.schemaType,
        schema: value.schema,
        references: value.references,
        identity,
        ...(identified.parsed === undefined ? {} : { parsed: identified.parsed }),
      });
    } else if (known.schema === value.schema && sameReferences(known.references, value.references)) {
      identity = known.identity;
    } else {
      identity = this.identify(value).identity;
    }
    this.versionIdentities.set(`${value.subject}\u0000${value.version}`, identity);
    if (!this.identities.has(identity)) this.identities.set(identity, value.id);
    let usage = this.usages.get(value.id);
    if (usage === undefined) this.usages.set(value.id, (usage = new Map()));
    usage.set(`${value.subject}\u0000${value.version}`, entry);
  }

  private removeVersion(subject: string, version: number): void {
    const versions = this.subjects.get(subject);
    const entry = versions?.get(version);
    if (versions === undefined || entry === undefined) return;
    versions.delete(version);
    this.versionIdentities.delete(`${subject}\u0000${version}`);
    if (versions.size === 0) this.subjects.delete(subject);
    this.release(entry);
  }

  private release(entry: SubjectVersion): void {
    const usage = this.usages.get(entry.id);
    usage?.delete(`${entry.subject}\u0000${entry.version}`);
    if (usage !== undefined && usage.size > 0) return;
    this.usages.delete(entry.id);
    this.ids.delete(entry.id);
    for (const [identity, id] of this.identities) if (id === entry.id) this.identities.delete(identity);
  }
}

function sameReferences(a: readonly SchemaReference[], b: readonly SchemaReference[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => r.name === b[i]!.name && r.subject === b[i]!.subject && r.version === b[i]!.version)
  );
}
