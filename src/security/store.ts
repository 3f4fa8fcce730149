/**
 * SCRAM credentials and ACLs, kept in the log as Kafka keeps them in its metadata log: a hidden,
 * compacted, one-partition topic `__tributary_security`, replayed into memory when the broker (or
 * `trib users` / `trib acls`) opens it.
 *
 * ```
 * key   = JSON ["scram", user, mechanism]   value = Kafka's stored form "salt=…,stored_key=…,server_key=…,iterations=n"
 * key   = JSON ["acl", resourceType, patternType, resourceName, principal, host, operation, permission]   value = "1"
 * a null value (tombstone) deletes the credential or the ACL; compaction keeps the latest of each key
 * ```
 *
 * Only the salted form is written: the password never reaches the log, a log line or an error.
 *
 * @example
 * const store = await SecurityStore.open(log);
 * await store.upsertScram('alice', 'SCRAM-SHA-512', 'alice-secret');
 * store.scramCredential('alice', 'SCRAM-SHA-512'); // { salt, iterations: 4096, storedKey, serverKey }
 */
import { TributaryError } from '../errors.ts';
import type { LogBackend } from '../log/index.ts';
import {
  AclAuthorizer,
  type AclBinding,
  type AclBindingFilter,
  type AuthorizerConfig,
  validateAclBinding,
} from './acl.ts';
import {
  createScramCredential,
  formatScramCredential,
  parseScramCredential,
  SCRAM_MECHANISMS,
  type ScramCredential,
  type ScramCredentialOptions,
  type ScramMechanism,
} from './scram.ts';

/** The hidden topic the store lives in. Metadata never shows it and no client may read or write it. */
export const SECURITY_TOPIC = '__tributary_security';

/** What DescribeUserScramCredentials shows of a user: mechanisms and iterations, never keys. */
export interface ScramUserInfo {
  user: string;
  credentials: { mechanism: ScramMechanism; iterations: number }[];
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

function aclKey(b: AclBinding): string {
  return JSON.stringify([
    'acl',
    b.resourceType,
    b.patternType,
    b.resourceName,
    b.principal,
    b.host,
    b.operation,
    b.permission,
  ]);
}

/**
 * The broker's users and ACLs. Reads are from memory; writes go to the log first and reach memory
 * once appended, so what a client was told is stored survives a restart.
 */
export class SecurityStore {
  readonly #log: LogBackend;
  readonly #scram = new Map<string, Map<ScramMechanism, ScramCredential>>();
  /** Every stored ACL; the broker's authorizer (when on) is this one. */
  readonly authorizer: AclAuthorizer;
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(log: LogBackend, config: AuthorizerConfig) {
    this.#log = log;
    this.authorizer = new AclAuthorizer(config);
  }

  /** Creates the topic when missing and replays it. */
  static async open(log: LogBackend, config: AuthorizerConfig = {}): Promise<SecurityStore> {
    const store = new SecurityStore(log, config);
    try {
      await log.createTopic({ topic: SECURITY_TOPIC, numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
    } catch (err) {
      if (!(err instanceof TributaryError && err.code === 'TOPIC_ALREADY_EXISTS')) throw err;
      await store.#replay();
    }
    return store;
  }

  async #replay(): Promise<void> {
    let { logStartOffset: offset, highWatermark } = this.#log.offsets(SECURITY_TOPIC, 0);
    while (offset < highWatermark) {
      const { records, nextOffset } = await this.#log.read(SECURITY_TOPIC, 0, offset, { maxBytes: 1 << 20 });
      if (records.length === 0 && nextOffset <= offset) break;
      for (const r of records) if (r.key !== null) this.#apply(Buffer.from(r.key).toString('utf8'), r.value);
      offset = nextOffset;
      highWatermark = this.#log.offsets(SECURITY_TOPIC, 0).highWatermark;
    }
  }

  #apply(key: string, value: Uint8Array | null): void {
    let parts: unknown;
    try {
      parts = JSON.parse(key);
    } catch {
      return;
    }
    if (!Array.isArray(parts)) return;
    if (parts[0] === 'scram' && parts.length === 3) {
      const [, user, mechanism] = parts as [string, string, ScramMechanism];
      if (!SCRAM_MECHANISMS.includes(mechanism)) return;
      const byMechanism = this.#scram.get(user) ?? new Map<ScramMechanism, ScramCredential>();
      if (value === null) byMechanism.delete(mechanism);
      else byMechanism.set(mechanism, parseScramCredential(mechanism, Buffer.from(value).toString('utf8')));
      if (byMechanism.size === 0) this.#scram.delete(user);
      else this.#scram.set(user, byMechanism);
    } else if (parts[0] === 'acl' && parts.length === 8) {
      const [, resourceType, patternType, resourceName, principal, host, operation, permission] = parts;
      const binding = { resourceType, patternType, resourceName, principal, host, operation, permission } as AclBinding;
      if (value === null) {
        this.authorizer.deleteAcls([{ ...binding } as AclBindingFilter]);
      } else {
        this.authorizer.createAcls([binding]);
      }
    }
  }

  /** Appends records in order (one write at a time, so the log's order is the order of the calls). */
  #append(records: { key: string; value: string | null }[]): Promise<void> {
    const run = this.#writes.then(async () => {
      if (records.length === 0) return;
      await this.#log.append(
        SECURITY_TOPIC,
        0,
        records.map((r) => ({ key: utf8(r.key), value: r.value === null ? null : utf8(r.value) })),
      );
      for (const r of records) this.#apply(r.key, r.value === null ? null : utf8(r.value));
    });
    this.#writes = run.catch(() => undefined);
    return run;
  }

  // ---- SCRAM ----

  /** The user's credential for a mechanism, or undefined. */
  scramCredential(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.#scram.get(user)?.get(mechanism);
  }

  /** Every user with a credential, sorted, with mechanisms and iterations. */
  scramUsers(): ScramUserInfo[] {
    return [...this.#scram.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([user, m]) => ({
        user,
        credentials: [...m.values()].map((c) => ({ mechanism: c.mechanism, iterations: c.iterations })),
      }));
  }

  /** Salts and stores a password (replacing the user's credential for that mechanism). */
  async upsertScram(
    user: string,
    mechanism: ScramMechanism,
    password: string,
    options: ScramCredentialOptions = {},
  ): Promise<void> {
    checkUser(user);
    await this.putScramCredential(user, createScramCredential(mechanism, password, options));
  }

  /** Stores an already salted credential (AlterUserScramCredentials sends the salted password). */
  async putScramCredential(user: string, credential: ScramCredential): Promise<void> {
    checkUser(user);
    await this.#append([
      { key: JSON.stringify(['scram', user, credential.mechanism]), value: formatScramCredential(credential) },
    ]);
  }

  /** Deletes the user's credential for a mechanism; false when there was none. */
  async deleteScram(user: string, mechanism: ScramMechanism): Promise<boolean> {
    if (this.scramCredential(user, mechanism) === undefined) return false;
    await this.#append([{ key: JSON.stringify(['scram', user, mechanism]), value: null }]);
    return true;
  }

  // ---- ACLs ----

  /** Validates every binding, then stores them all. */
  async createAcls(bindings: readonly AclBinding[]): Promise<AclBinding[]> {
    const valid = bindings.map(validateAclBinding);
    await this.#append(valid.map((b) => ({ key: aclKey(b), value: '1' })));
    return valid;
  }

  /** The ACLs a filter selects. */
  describeAcls(filter: AclBindingFilter): AclBinding[] {
    return this.authorizer.describeAcls(filter);
  }

  /** For each filter, the ACLs it removed (validated first; none removed when one is invalid). */
  async deleteAcls(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]> {
    const matched = filters.map((f) => this.authorizer.describeAcls(f));
    const seen = new Set<string>();
    const tombstones: { key: string; value: null }[] = [];
    for (const list of matched) {
      for (const b of list) {
        const key = aclKey(b);
        if (!seen.has(key)) tombstones.push({ key, value: null });
        seen.add(key);
      }
    }
    await this.#append(tombstones);
    // Kafka reports an ACL under the first filter that matched it.
    const reported = new Set<string>();
    return matched.map((list) =>
      list.filter((b) => {
        const key = aclKey(b);
        if (reported.has(key)) return false;
        reported.add(key);
        return true;
      }),
    );
  }
}

function checkUser(user: string): void {
  if (typeof user !== 'string' || user === '')
    throw new TributaryError('INVALID_REQUEST', 'A SCRAM user name must not be empty');
}
