/**
 * The schema registry: subjects of numbered versions, global schema ids, compatibility levels,
 * modes, references, soft and hard deletes, kept in the log's `_schemas` topic.
 *
 * Reads answer from memory and are synchronous. Writes run one at a time: each is appended to the
 * topic with `sync: true` and applied to memory only once durable, so a crash never leaves memory
 * ahead of the log and a restart (which replays the topic) loses nothing acknowledged.
 *
 * @example
 * const log = await openLog({ dataDir: './.tributary' });
 * const registry = await SchemaRegistry.open(log);
 * const { id, version } = await registry.register('users-value', {
 *   schema: '{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}',
 * });
 * registry.getSchema(id).schema; // the text as registered
 */
import { type LogBackend, TributaryError } from '../src/index.ts';
import { checkCompatibility, type PreviousVersion, versionsToCheck } from './compatibility.ts';
import { notPermitted, registryError, schemaNotFound, subjectNotFound, versionNotFound } from './errors.ts';
import { getFormat, isSchemaType } from './formats/index.ts';
import type { FormatPlugin, ParsedSchema, ResolvedReference } from './formats/types.ts';
import {
  type CompatibilityLevel,
  type CheckedCompatibility,
  DEFAULT_COMPATIBILITY,
  DEFAULT_MODE,
  isCompatibilityLevel,
  isMode,
  isReadOnly,
  type Mode,
  type Registration,
  type RegisterOptions,
  type SchemaInput,
  type SchemaReference,
  type SchemaType,
  type StoredSchema,
  type SubjectVersion,
  type VersionSelector,
} from './model.ts';
import { resolveReferences, validateReferences } from './references.ts';
import { SerialQueue } from './serial.ts';
import { type ConfigSetting, RegistryState } from './state.ts';
import { SchemaStore } from './store.ts';
import type { SchemaValue, StoreRecord } from './store-records.ts';

/** How to open a registry. */
export interface SchemaRegistryOptions {
  /** The topic holding the registry's state. Default `_schemas`. */
  topic?: string;
}

/** Options of reads that may include soft-deleted versions. */
export interface DeletedOption {
  /** Include soft-deleted versions and subjects. Default false. */
  deleted?: boolean;
}

/** A schema checked and parsed, ready to be stored or compared. */
interface Candidate {
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  parsed: ParsedSchema;
  identity: string;
}

/**
 * The registry over a log (see the module's comment): open it with {@link SchemaRegistry.open},
 * then register, look up and delete schemas as Confluent's REST API does.
 *
 * @example
 * const registry = await SchemaRegistry.open(log);
 * const { id } = await registry.register('users-value', { schema: '{"type":"string"}' });
 * await registry.close();
 */
export class SchemaRegistry {
  private readonly writes = new SerialQueue();
  private nextId: number;
  private closed = false;

  private constructor(
    private readonly store: SchemaStore,
    private readonly state: RegistryState,
  ) {
    this.nextId = state.maxId + 1;
  }

  /** Opens the registry on a log: creates the `_schemas` topic if needed and replays it. */
  static async open(log: LogBackend, options: SchemaRegistryOptions = {}): Promise<SchemaRegistry> {
    const store = await SchemaStore.open(log, options.topic);
    let state: RegistryState;
    const lookup = (subject: string, version: number) =>
      version === -1 ? state.liveVersions(subject).at(-1) : state.version(subject, version);
    state = new RegistryState((value) => identifyStored(value, lookup));
    await store.replay((record) => state.apply(record));
    state.reidentify();
    return new SchemaRegistry(store, state);
  }

  /** Waits for writes in flight. The log stays open: it belongs to the caller. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writes.idle();
  }

  /** A number that changes with every change of state (for caching answers). */
  get generation(): number {
    return this.state.generation;
  }

  // ---------------------------------------------------------------- reads

  /** Subject names, sorted; soft-deleted ones only with `deleted`. */
  subjects(options: DeletedOption & { prefix?: string } = {}): string[] {
    const names = this.state.subjectNames(options.deleted === true);
    const prefix = options.prefix;
    return prefix === undefined || prefix === '' ? names : names.filter((n) => n.startsWith(prefix));
  }

  /**
   * The version numbers of a subject: live ones, all with `deleted`, soft-deleted ones only with
   * `deletedOnly`. Throws `SUBJECT_NOT_FOUND` when the subject has no version at all (or, without
   * `deleted`/`deletedOnly`, no live one).
   */
  versions(subject: string, options: DeletedOption & { deletedOnly?: boolean } = {}): number[] {
    const all = this.state.versions(subject);
    const versions =
      options.deletedOnly === true
        ? all.filter((v) => v.deleted)
        : options.deleted === true
          ? all
          : all.filter((v) => !v.deleted);
    if (versions.length === 0 && (options.deletedOnly !== true || all.length === 0)) throw subjectNotFound(subject);
    return versions.map((v) => v.version);
  }

  /**
   * One version of a subject (`latest` is the newest live one). Throws `SUBJECT_NOT_FOUND`,
   * `VERSION_NOT_FOUND`; a soft-deleted version is found only with `deleted`.
   */
  getVersion(subject: string, selector: VersionSelector, options: DeletedOption = {}): SubjectVersion {
    const all = this.state.versions(subject);
    const visible = options.deleted === true ? all : all.filter((v) => !v.deleted);
    if (visible.length === 0) throw subjectNotFound(subject);
    const found = selector === 'latest' ? visible.at(-1) : visible.find((v) => v.version === selector);
    if (found === undefined) throw versionNotFound(subject, selector);
    return { ...found };
  }

  /** A schema by global id (soft-deleted ones too). Throws `SCHEMA_NOT_FOUND`. */
  getSchema(id: number): StoredSchema {
    const entry = this.state.schema(id);
    if (entry === undefined) throw schemaNotFound(`Schema ${id} not found`, { schemaId: id });
    return { id: entry.id, schemaType: entry.schemaType, schema: entry.schema, references: entry.references };
  }

  /** The parsed form of a schema by id, parsed once and kept. */
  parsedSchema(id: number): ParsedSchema {
    const entry = this.state.schema(id);
    if (entry === undefined) throw schemaNotFound(`Schema ${id} not found`, { schemaId: id });
    if (entry.parsed !== undefined) return entry.parsed;
    const parsed = getFormat(entry.schemaType).parse(entry.schema, this.resolve(entry.references));
    this.state.cacheParsed(id, parsed);
    return parsed;
  }

  /** The subject-versions that use a schema id. */
  usagesOf(id: number, options: DeletedOption = {}): SubjectVersion[] {
    this.getSchema(id);
    return this.state.usagesOf(id).filter((v) => options.deleted === true || !v.deleted);
  }

  /** The ids of the schemas that reference one version of a subject. */
  referencedBy(subject: string, selector: VersionSelector): number[] {
    const version = this.getVersion(subject, selector, { deleted: true });
    const ids = this.state
      .referrers(subject, version.version)
      .filter((v) => !v.deleted)
      .map((v) => v.id);
    return [...new Set(ids)].sort((a, b) => a - b);
  }

  /** Every subject-version, sorted by subject then version, filtered as `GET /schemas` does. */
  listSchemas(options: DeletedOption & { subjectPrefix?: string; latestOnly?: boolean } = {}): SubjectVersion[] {
    const out: SubjectVersion[] = [];
    for (const subject of this.subjects({ deleted: options.deleted, prefix: options.subjectPrefix })) {
      const versions = options.deleted === true ? this.state.versions(subject) : this.state.liveVersions(subject);
      out.push(...(options.latestOnly === true ? versions.slice(-1) : versions).map((v) => ({ ...v })));
    }
    return out;
  }

  /**
   * Finds the version of `subject` that holds this schema, as Confluent's lookup does: the same
   * schema (same identity and references, newest version first), else an equivalent one
   * (Confluent's `canLookup`: the same schema once every reference is written out in place, so a
   * schema sent with its references inlined finds the version registered with them). With
   * `normalize`, the schema is normalised first and references in another order are the same.
   * Throws `SUBJECT_NOT_FOUND`, `SCHEMA_NOT_FOUND`, or `INVALID_SCHEMA` for a schema that cannot be parsed.
   */
  lookup(subject: string, input: SchemaInput, options: DeletedOption & { normalize?: boolean } = {}): SubjectVersion {
    const versions = options.deleted === true ? this.state.versions(subject) : this.state.liveVersions(subject);
    if (versions.length === 0) throw subjectNotFound(subject);
    const normalize = options.normalize === true || this.normalizeConfigured(subject);
    const candidate = this.prepare(input, normalize);
    const found = this.findSame(candidate, versions, normalize);
    if (found === undefined) throw schemaNotFound('Schema not found', { subject });
    return { ...found };
  }

  /**
   * The compatibility level of a subject, or the global one (`subject` null). A subject without its
   * own level throws `SUBJECT_COMPATIBILITY_NOT_CONFIGURED` unless `defaultToGlobal`.
   */
  getCompatibility(subject: string | null, options: { defaultToGlobal?: boolean } = {}): CompatibilityLevel {
    const global = this.state.config(null) ?? DEFAULT_COMPATIBILITY;
    if (subject === null) return global;
    const own = this.state.config(subject);
    if (own !== undefined) return own;
    if (options.defaultToGlobal === true) return global;
    throw registryError(
      'SUBJECT_COMPATIBILITY_NOT_CONFIGURED',
      `Subject '${subject}' does not have subject-level compatibility configured`,
      { subject },
    );
  }

  /** The mode of a subject, or the global one; like {@link getCompatibility} (`SUBJECT_MODE_NOT_CONFIGURED`). */
  getMode(subject: string | null, options: { defaultToGlobal?: boolean } = {}): Mode {
    const global = this.state.mode(null) ?? DEFAULT_MODE;
    if (subject === null) return global;
    const own = this.state.mode(subject);
    if (own !== undefined) return own;
    if (options.defaultToGlobal === true) return global;
    throw registryError(
      'SUBJECT_MODE_NOT_CONFIGURED',
      `Subject '${subject}' does not have subject-level mode configured`,
      { subject },
    );
  }

  /**
   * Is `input` compatible with the subject? Without a version, with the versions the subject's level
   * checks; with one, with that version in the level's direction; with `latest`, with the newest
   * live version, or with nothing (compatible) when the subject has none, as Confluent answers
   * Java's client and the Maven plugin. Throws `INVALID_SCHEMA` for a schema that cannot be parsed,
   * `VERSION_NOT_FOUND` for a numbered version that is not there. `issues` name each change type.
   */
  testCompatibility(
    subject: string,
    input: SchemaInput,
    selector?: VersionSelector,
    options: { normalize?: boolean } = {},
  ): CheckedCompatibility {
    const level = this.getCompatibility(subject, { defaultToGlobal: true });
    const live = this.state.liveVersions(subject);
    let previous: SubjectVersion[];
    if (selector === undefined) {
      previous = versionsToCheck(level, live);
    } else if (selector === 'latest') {
      previous = live.slice(-1);
    } else {
      const found = live.find((v) => v.version === selector);
      if (found === undefined) throw versionNotFound(subject, selector);
      previous = [found];
    }
    const candidate = this.prepare(input, options.normalize === true || this.normalizeConfigured(subject));
    return checkCompatibility(
      getFormat(candidate.schemaType),
      level,
      candidate.parsed,
      previous.map((v) => this.previous(v)),
    );
  }

  // ---------------------------------------------------------------- writes

  /**
   * Registers a schema under a subject and answers its global id and version. The identical schema
   * registered already (a live version) answers that version. Throws `INVALID_SCHEMA`,
   * `INCOMPATIBLE_SCHEMA` (context `messages`), `OPERATION_NOT_PERMITTED` (READONLY mode, or an
   * id outside IMPORT mode).
   */
  async register(subject: string, input: SchemaInput, options: RegisterOptions = {}): Promise<Registration> {
    validateSubject(subject);
    return this.write(async () => {
      const mode = this.getMode(subject, { defaultToGlobal: true });
      if (isReadOnly(mode)) throw notPermitted(`Subject ${subject} is in read-only mode`, { subject });
      if (options.id !== undefined && mode !== 'IMPORT') {
        throw notPermitted(`Subject ${subject} is not in import mode; a schema id can only be given in IMPORT mode`, {
          subject,
        });
      }
      if (options.version !== undefined && mode !== 'IMPORT') {
        const next = this.nextVersion(subject);
        if (options.version !== next) {
          throw notPermitted(`A version can only be given in IMPORT mode (or be the next version, ${next})`, {
            subject,
          });
        }
      }
      // IMPORT stores schemas verbatim: neither normalize=true nor the config's normalize applies.
      const normalize = mode !== 'IMPORT' && (options.normalize === true || this.normalizeConfigured(subject));
      const candidate = this.prepare(input, normalize);
      const live = this.state.liveVersions(subject);
      // IMPORT with a version copies a version as it was: the same schema and id under a new
      // version is a new version (Confluent skips its lookups when a version is given).
      const copying = mode === 'IMPORT' && options.version !== undefined;
      const same = copying
        ? undefined
        : this.findSame(
            candidate,
            options.id === undefined ? live : live.filter((v) => v.id === options.id),
            normalize,
          );
      if (same !== undefined) {
        return { id: same.id, version: same.version, created: false };
      }

      let id: number;
      let version: number;
      if (mode === 'IMPORT') {
        if (options.id === undefined)
          throw notPermitted(`Subject ${subject} is in import mode; registrations must give an id`, { subject });
        const taken = this.state.schema(options.id);
        if (taken !== undefined && taken.identity !== candidate.identity) {
          throw notPermitted(`Overwrite new schema with id ${options.id} is not permitted.`, {
            subject,
            schemaId: options.id,
          });
        }
        id = options.id;
        version = options.version ?? this.nextVersion(subject);
        const existing = this.state.version(subject, version);
        // Importing a version again as it is changes nothing (Confluent rewrites the same record).
        if (
          existing !== undefined &&
          existing.id === id &&
          this.state.identityOf(subject, version) === candidate.identity
        ) {
          return { id, version, created: false };
        }
        if (existing !== undefined) {
          throw notPermitted(`Version ${version} of subject ${subject} exists already`, { subject, version });
        }
      } else {
        const level = this.getCompatibility(subject, { defaultToGlobal: true });
        const result = checkCompatibility(
          getFormat(candidate.schemaType),
          level,
          candidate.parsed,
          versionsToCheck(level, live).map((v) => this.previous(v)),
        );
        if (!result.isCompatible) {
          throw registryError(
            'INCOMPATIBLE_SCHEMA',
            `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${result.messages.join(', ')}]`,
            { subject, messages: result.messages, issues: result.issues },
          );
        }
        id = this.state.idForIdentity(candidate.identity) ?? this.nextId;
        version = options.version ?? this.nextVersion(subject);
      }

      const value: SchemaValue = {
        subject,
        version,
        id,
        schemaType: candidate.schemaType,
        references: candidate.references,
        schema: candidate.schema,
        deleted: false,
      };
      const record: StoreRecord = { key: { keytype: 'SCHEMA', subject, version }, value };
      this.store.checkRecordSize(record);
      await this.commit([record]);
      this.state.cacheParsed(id, candidate.parsed);
      this.nextId = Math.max(this.nextId, id + 1);
      return { id, version, created: true };
    });
  }

  /**
   * Deletes one version. Soft (default): hidden from listings, still readable by id; the version
   * must be live and not referenced by a live schema. `permanent`: removed for good; the version
   * must be soft-deleted first (`SCHEMA_VERSION_NOT_SOFT_DELETED`) and referenced by nothing
   * (`REFERENCE_EXISTS`). Answers the version number.
   */
  deleteVersion(subject: string, selector: VersionSelector, options: { permanent?: boolean } = {}): Promise<number> {
    return this.write(async () => {
      this.refuseReadOnly(subject);
      const all = this.state.versions(subject);
      if (all.length === 0) throw subjectNotFound(subject);
      const permanent = options.permanent === true;
      const pool = permanent ? all : all.filter((v) => !v.deleted);
      const target = selector === 'latest' ? pool.at(-1) : all.find((v) => v.version === selector);
      if (target === undefined) throw versionNotFound(subject, selector);
      if (!permanent) {
        if (target.deleted) {
          throw registryError(
            'SCHEMA_VERSION_SOFT_DELETED',
            `Subject '${subject}' Version ${target.version} was soft deleted. Set permanent=true to delete permanently`,
            { subject, version: target.version },
          );
        }
        this.refuseReferenced(subject, [target], false);
        await this.commit([
          {
            key: { keytype: 'SCHEMA', subject, version: target.version },
            value: { ...toValue(target), deleted: true },
          },
        ]);
      } else {
        if (!target.deleted) {
          throw registryError(
            'SCHEMA_VERSION_NOT_SOFT_DELETED',
            `Subject '${subject}' Version ${target.version} was not deleted first before being permanently deleted`,
            { subject, version: target.version },
          );
        }
        this.refuseReferenced(subject, [target], true);
        const records: StoreRecord[] = [{ key: { keytype: 'SCHEMA', subject, version: target.version }, value: null }];
        // The subject's last version gone: its config and mode go too, as Confluent does.
        if (all.length === 1) records.push(...this.subjectSettingsRemoval(subject));
        records.push(this.maxIdRecord());
        await this.commit(records);
      }
      return target.version;
    });
  }

  /**
   * Deletes a subject: soft (every live version) or `permanent` (every version, after a soft delete,
   * with its own compatibility level and mode). Answers the versions deleted.
   */
  deleteSubject(subject: string, options: { permanent?: boolean } = {}): Promise<number[]> {
    return this.write(async () => {
      this.refuseReadOnly(subject);
      const all = this.state.versions(subject);
      if (all.length === 0) throw subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (options.permanent !== true) {
        if (live.length === 0) {
          throw registryError(
            'SUBJECT_SOFT_DELETED',
            `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`,
            { subject },
          );
        }
        this.refuseReferenced(subject, live, false);
        const records: StoreRecord[] = live.map((v) => ({
          key: { keytype: 'SCHEMA', subject, version: v.version },
          value: { ...toValue(v), deleted: true },
        }));
        records.push({
          key: { keytype: 'DELETE_SUBJECT', subject },
          value: { subject, version: live.at(-1)!.version },
        });
        await this.commit(records);
        return live.map((v) => v.version);
      }
      if (live.length > 0) {
        throw registryError(
          'SUBJECT_NOT_SOFT_DELETED',
          `Subject '${subject}' was not deleted first before being permanently deleted`,
          { subject },
        );
      }
      this.refuseReferenced(subject, all, true);
      const records: StoreRecord[] = all.map((v) => ({
        key: { keytype: 'SCHEMA', subject, version: v.version },
        value: null,
      }));
      records.push({ key: { keytype: 'DELETE_SUBJECT', subject }, value: null });
      records.push(...this.subjectSettingsRemoval(subject), this.maxIdRecord());
      await this.commit(records);
      return all.map((v) => v.version);
    });
  }

  /** Sets the compatibility level of a subject, or the global one. Throws `INVALID_COMPATIBILITY_LEVEL`. */
  async setCompatibility(subject: string | null, level: unknown): Promise<CompatibilityLevel> {
    await this.updateConfig(subject, { compatibility: level });
    return level as CompatibilityLevel;
  }

  /**
   * Updates a subject's (or the global) config as Confluent's `PUT /config` does: the fields given
   * replace those set, the others stay (so a level change keeps `normalize`). Throws
   * `INVALID_COMPATIBILITY_LEVEL` for an unknown level, or when neither field is given.
   *
   * @example
   * await registry.updateConfig('users-value', { normalize: true });
   * await registry.updateConfig('users-value', { compatibility: 'FULL' }); // normalize stays true
   */
  async updateConfig(
    subject: string | null,
    update: { compatibility?: unknown; normalize?: boolean },
  ): Promise<ConfigSetting> {
    const level = update.compatibility;
    if (
      (level !== undefined && !isCompatibilityLevel(level)) ||
      (level === undefined && update.normalize === undefined)
    ) {
      throw registryError(
        'INVALID_COMPATIBILITY_LEVEL',
        `Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive`,
        { level: String(level) },
      );
    }
    if (subject !== null) validateSubject(subject);
    return this.write(async () => {
      const merged: ConfigSetting = { ...this.state.configSetting(subject) };
      if (level !== undefined) merged.compatibilityLevel = level as CompatibilityLevel;
      if (update.normalize !== undefined) merged.normalize = update.normalize;
      await this.commit([{ key: { keytype: 'CONFIG', subject }, value: { subject, ...merged } }]);
      return merged;
    });
  }

  /**
   * A subject's own config (`null`: the global one, BACKWARD when nothing is set). A subject with
   * none throws `SUBJECT_COMPATIBILITY_NOT_CONFIGURED` unless `defaultToGlobal`.
   */
  getConfig(subject: string | null, options: { defaultToGlobal?: boolean } = {}): ConfigSetting {
    const global = { compatibilityLevel: DEFAULT_COMPATIBILITY, ...this.state.configSetting(null) };
    if (subject === null) return global;
    const own = this.state.configSetting(subject);
    if (own !== undefined) return { ...own };
    if (options.defaultToGlobal === true) return global;
    throw registryError(
      'SUBJECT_COMPATIBILITY_NOT_CONFIGURED',
      `Subject '${subject}' does not have subject-level compatibility configured`,
      { subject },
    );
  }

  /**
   * Removes a subject's own config (it follows the global one again; `SUBJECT_NOT_FOUND` when it
   * has none, as Confluent answers), or resets the global one. Answers the config removed.
   */
  deleteConfig(subject: string | null): Promise<ConfigSetting> {
    return this.write(async () => {
      if (subject !== null && this.state.configSetting(subject) === undefined) throw subjectNotFound(subject);
      const previous = this.getConfig(subject);
      if (subject !== null || this.state.configSetting(null) !== undefined) {
        await this.commit([{ key: { keytype: 'CONFIG', subject }, value: null }]);
      }
      return previous;
    });
  }

  /**
   * Removes a subject's own level (it follows the global one again), or resets the global level to
   * BACKWARD. Answers the level removed.
   */
  async deleteCompatibility(subject: string | null): Promise<CompatibilityLevel> {
    const removed = await this.deleteConfig(subject);
    return removed.compatibilityLevel ?? this.getCompatibility(null);
  }

  /**
   * Sets the mode of a subject, or the global one. IMPORT needs an empty subject (or registry) unless
   * `force`. Throws `INVALID_MODE`, `OPERATION_NOT_PERMITTED`.
   */
  async setMode(subject: string | null, mode: unknown, options: { force?: boolean } = {}): Promise<Mode> {
    if (!isMode(mode)) {
      throw registryError(
        'INVALID_MODE',
        `Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT`,
        { mode: String(mode) },
      );
    }
    if (subject !== null) validateSubject(subject);
    return this.write(async () => {
      if (mode === 'IMPORT' && options.force !== true) {
        const busy =
          subject === null ? this.state.subjectNames(true).length > 0 : this.state.versions(subject).length > 0;
        if (busy) {
          throw notPermitted(
            `Cannot import since found existing subjects${subject === null ? '' : ` (${subject})`}; pass force=true to override`,
            { subject },
          );
        }
      }
      await this.commit([{ key: { keytype: 'MODE', subject }, value: { subject, mode } }]);
      return mode;
    });
  }

  /** Removes a subject's own mode, or resets the global one to READWRITE. Answers the mode removed. */
  deleteMode(subject: string | null): Promise<Mode> {
    return this.write(async () => {
      if (subject !== null && this.state.mode(subject) === undefined) throw subjectNotFound(subject);
      const previous = this.getMode(subject);
      if (subject !== null || this.state.mode(null) !== undefined) {
        await this.commit([{ key: { keytype: 'MODE', subject }, value: null }]);
      }
      return previous;
    });
  }

  // ---------------------------------------------------------------- machinery

  private write<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(registryError('REGISTRY_STORE_ERROR', 'The schema registry is closed'));
    return this.writes.run(task);
  }

  /** Durable first, then memory. */
  private async commit(records: StoreRecord[]): Promise<void> {
    await this.store.write(records);
    for (const record of records) this.state.apply(record);
  }

  /**
   * Why: a hard delete lets compaction remove the last record holding the highest id, and the next
   * id after a restart would be one already written into messages. This record keeps it.
   */
  /** Tombstones for a subject's own config and mode, when it has them. */
  private subjectSettingsRemoval(subject: string): StoreRecord[] {
    const records: StoreRecord[] = [];
    if (this.state.configSetting(subject) !== undefined)
      records.push({ key: { keytype: 'CONFIG', subject }, value: null });
    if (this.state.mode(subject) !== undefined) records.push({ key: { keytype: 'MODE', subject }, value: null });
    return records;
  }

  /** The highest id ever issued (`GET /schemas/ids/{id}?fetchMaxId=true`). */
  get maxId(): number {
    return Math.max(this.nextId - 1, this.state.maxId);
  }

  /** Whether the subject's config (or the global one) asks for normalisation. */
  private normalizeConfigured(subject: string): boolean {
    return (this.state.configSetting(subject)?.normalize ?? this.state.configSetting(null)?.normalize) === true;
  }

  private maxIdRecord(): StoreRecord {
    return { key: { keytype: 'MAX_ID' }, value: { maxId: this.maxId } };
  }

  /**
   * Checks and parses a schema. With `normalize` (Confluent's `normalize=true`), references are
   * sorted and deduplicated and an Avro schema becomes its normalised form: what is stored, and
   * what identifies it, is that form, as Confluent stores it.
   */
  private prepare(input: SchemaInput, normalize = false): Candidate {
    const checked = checkInput(input);
    this.store.checkSize(checked.schema);
    let references = checked.references.map((ref) => {
      if (ref.version !== -1) return ref;
      const latest = this.state.liveVersions(ref.subject).at(-1);
      return latest === undefined ? ref : { ...ref, version: latest.version };
    });
    if (normalize) references = sortedReferences(references);
    const resolved = this.resolve(references);
    const plugin = getFormat(checked.schemaType);
    let parsed = parseSafely(plugin, checked.schema, resolved);
    if (normalize && parsed.normalized !== undefined && parsed.normalized !== parsed.canonical) {
      parsed = parseSafely(plugin, parsed.normalized, resolved);
    }
    return {
      schemaType: checked.schemaType,
      schema: parsed.schema,
      references,
      parsed,
      identity: identityKey(parsed, references),
    };
  }

  /**
   * The newest of `versions` holding the candidate: the same identity, else (Confluent's
   * `canLookup`) the same resolved form with the same references — or the candidate has no
   * references and the version has (they were inlined). With `normalize`, reference order does
   * not matter.
   */
  private findSame(
    candidate: Candidate,
    versions: readonly SubjectVersion[],
    normalize: boolean,
  ): SubjectVersion | undefined {
    const same = versions.findLast((v) => this.state.identityOf(v.subject, v.version) === candidate.identity);
    if (same !== undefined) return same;
    const form = candidate.parsed.resolved ?? candidate.parsed.canonical;
    const refs = referencesKey(normalize ? sortedReferences(candidate.references) : candidate.references);
    return versions.findLast((v) => {
      if (v.schemaType !== candidate.schemaType) return false;
      let parsed: ParsedSchema;
      try {
        parsed = this.parsedSchema(v.id);
      } catch {
        return false;
      }
      if ((parsed.resolved ?? parsed.canonical) !== form) return false;
      if (candidate.references.length === 0 && v.references.length > 0) return true;
      return referencesKey(normalize ? sortedReferences(v.references) : v.references) === refs;
    });
  }

  private resolve(references: readonly SchemaReference[]): ResolvedReference[] {
    return resolveReferences(references, (subject, version) =>
      version === -1 ? this.state.liveVersions(subject).at(-1) : this.state.version(subject, version),
    );
  }

  private previous(v: SubjectVersion): PreviousVersion {
    return { version: v.version, schema: v.schema, parsed: this.parsedSchema(v.id) };
  }

  private nextVersion(subject: string): number {
    return (this.state.versions(subject).at(-1)?.version ?? 0) + 1;
  }

  private refuseReadOnly(subject: string): void {
    if (isReadOnly(this.getMode(subject, { defaultToGlobal: true }))) {
      throw notPermitted(`Subject ${subject} is in read-only mode`, { subject });
    }
  }

  /**
   * A soft delete is refused while a live schema elsewhere references a target; a hard delete
   * while any schema (soft-deleted too) does, since it could still be read by id.
   */
  private refuseReferenced(subject: string, targets: readonly SubjectVersion[], permanent: boolean): void {
    const versions = new Set(targets.map((t) => t.version));
    for (const target of targets) {
      const referrers = this.state
        .referrers(subject, target.version)
        .filter((r) => (permanent || !r.deleted) && !(r.subject === subject && versions.has(r.version)));
      if (referrers.length > 0) {
        const ids = [...new Set(referrers.map((r) => r.id))].join(', ');
        throw registryError(
          'REFERENCE_EXISTS',
          `One or more references exist to the schema {subject=${subject}, version=${target.version}}: schema ids ${ids}`,
          { subject, version: target.version },
        );
      }
    }
  }
}

/** A plugin's parse, where anything but a TributaryError (a library's own failure) is an invalid schema. */
function parseSafely(plugin: FormatPlugin, schema: string, references: ResolvedReference[]): ParsedSchema {
  try {
    return plugin.parse(schema, references);
  } catch (err) {
    if (err instanceof TributaryError) throw err;
    throw registryError('INVALID_SCHEMA', `Invalid schema: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/** Checks the fields of a registration body; throws `INVALID_SCHEMA`. */
function checkInput(input: SchemaInput): { schemaType: SchemaType; schema: string; references: SchemaReference[] } {
  if (input === null || typeof input !== 'object')
    throw registryError('INVALID_SCHEMA', 'Invalid schema: expected an object with a schema');
  if (typeof input.schema !== 'string' || input.schema.trim() === '') {
    throw registryError('INVALID_SCHEMA', 'Invalid schema: empty schema');
  }
  const type = input.schemaType ?? 'AVRO';
  if (!isSchemaType(type)) throw registryError('INVALID_SCHEMA', `Invalid schema: unknown schema type ${String(type)}`);
  if (nestingDepth(input.schema) > MAX_SCHEMA_NESTING) {
    throw registryError('INVALID_SCHEMA', `Invalid schema: nested more than ${MAX_SCHEMA_NESTING} levels deep`);
  }
  return { schemaType: type, schema: input.schema, references: validateReferences(input.references) };
}

function validateSubject(subject: string): void {
  if (
    typeof subject !== 'string' ||
    subject.length === 0 ||
    subject.length > MAX_SUBJECT_LENGTH ||
    hasControlCharacter(subject)
  ) {
    const shown = String(subject).length > 100 ? `${String(subject).slice(0, 100)}…` : String(subject);
    throw registryError('INVALID_SUBJECT', `The specified subject '${shown}' is not a valid.`, { subject: shown });
  }
}

/** Longest subject name accepted (Confluent has no limit; see the docs). */
const MAX_SUBJECT_LENGTH = 1000;

/**
 * Deepest nesting of brackets a schema text may have. Why: the format libraries parse recursively
 * and a deeper schema overflows the stack (a RangeError, a 500); Jackson, under Confluent, refuses
 * documents nested deeper than 1,000 the same way, as an invalid schema.
 */
export const MAX_SCHEMA_NESTING = 1000;

/** The deepest nesting of `{`, `[` and `(` outside string literals, counted without recursion. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === 0x5c) i++;
      else if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x7b || c === 0x5b || c === 0x28) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d || c === 0x29) {
      depth--;
    }
  }
  return deepest;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

/** Same canonical form, same references: same schema. */
function identityKey(parsed: ParsedSchema, references: readonly SchemaReference[]): string {
  return `${parsed.schemaType}\u0000${parsed.canonical}\u0000${referencesKey(references)}`;
}

function referencesKey(references: readonly SchemaReference[]): string {
  return references.map((r) => `${r.name}\u0001${r.subject}\u0001${r.version}`).join('\u0002');
}

/** Confluent's order of references (name, then subject, then version), without repeats. */
function sortedReferences(references: readonly SchemaReference[]): SchemaReference[] {
  const seen = new Set<string>();
  return [...references]
    .sort((a, b) =>
      a.name !== b.name
        ? a.name < b.name
          ? -1
          : 1
        : a.subject !== b.subject
          ? a.subject < b.subject
            ? -1
            : 1
          : a.version - b.version,
    )
    .filter((r) => {
      const key = referencesKey([r]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Identity of a stored schema; its exact text when its format cannot parse it (yet). */
function identifyStored(
  value: SchemaValue,
  lookup: (subject: string, version: number) => SubjectVersion | undefined,
): { identity: string; parsed?: ParsedSchema } {
  try {
    const parsed = getFormat(value.schemaType).parse(value.schema, resolveReferences(value.references, lookup));
    return { identity: identityKey(parsed, value.references), parsed };
  } catch {
    return { identity: `${value.schemaType}\u0000raw:${value.schema}\u0000${referencesKey(value.references)}` };
  }
}

function toValue(v: SubjectVersion): SchemaValue {
  return {
    subject: v.subject,
    version: v.version,
    id: v.id,
    schemaType: v.schemaType,
    references: v.references,
    schema: v.schema,
    deleted: v.deleted,
  };
}
