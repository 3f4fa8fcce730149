import { TributaryError } from '../errors.ts';

/**
 * Kafka's ACL model and its authorizer's decision, as `StandardAuthorizer` (KRaft) makes it.
 *
 * An ACL binding says: *principal* from *host* is ALLOWed or DENYed *operation* on resources of a
 * *type* whose name matches a *pattern* (LITERAL, `*` for every name, or PREFIXED). A DENY that
 * matches always wins; an ALLOW of READ, WRITE, DELETE or ALTER also allows DESCRIBE, and one of
 * ALTER_CONFIGS also allows DESCRIBE_CONFIGS; `super.users` are allowed everything; a resource with no
 * ACL at all is allowed only when `allow.everyone.if.no.acl.found` is on.
 *
 * @example
 * const authz = new AclAuthorizer({ superUsers: 'User:admin' });
 * authz.createAcls([{ resourceType: 'TOPIC', resourceName: 'orders-', patternType: 'PREFIXED',
 *   principal: 'User:alice', host: '*', operation: 'READ', permission: 'ALLOW' }]);
 * authz.authorize({ principal: 'User:alice', host: '10.0.0.5' },
 *   [{ operation: 'DESCRIBE', resourceType: 'TOPIC', resourceName: 'orders-eu' }]); // ['ALLOWED']
 */

/** The concrete resource types an ACL can name. */
export type ResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID';
/** How an ACL's resource name matches: exactly (or `*` for all names), or as a prefix. */
export type PatternType = 'LITERAL' | 'PREFIXED';
/** Kafka's ACL operations (without the filter-only `ANY`). */
export type AclOperation =
  | 'ALL'
  | 'READ'
  | 'WRITE'
  | 'CREATE'
  | 'DELETE'
  | 'ALTER'
  | 'DESCRIBE'
  | 'CLUSTER_ACTION'
  | 'DESCRIBE_CONFIGS'
  | 'ALTER_CONFIGS'
  | 'IDEMPOTENT_WRITE'
  | 'CREATE_TOKENS'
  | 'DESCRIBE_TOKENS';
/** Whether an ACL allows or denies its operation; a matching DENY wins. */
export type AclPermission = 'ALLOW' | 'DENY';
/** What the authorizer decided for one action. */
export type AuthorizationResult = 'ALLOWED' | 'DENIED';

/** Kafka's wire codes for each enum (CreateAcls, DescribeAcls, DeleteAcls carry these int8s). */
export const RESOURCE_TYPE_CODES = { ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5 } as const;
export const PATTERN_TYPE_CODES = { ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const OPERATION_CODES = {
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export const PERMISSION_CODES = { ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The one name a CLUSTER resource has in Kafka. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** The resource name and host that match everything. */
export const WILDCARD = '*';
/** The principal that matches every `User:` principal. */
export const WILDCARD_PRINCIPAL = 'User:*';

/**
 * One ACL, as CreateAcls takes it and DescribeAcls returns it.
 *
 * @example
 * const acl: AclBinding = { resourceType: 'GROUP', resourceName: '*', patternType: 'LITERAL',
 *   principal: 'User:*', host: '*', operation: 'READ', permission: 'ALLOW' };
 */
export interface AclBinding {
  resourceType: ResourceType;
  resourceName: string;
  patternType: PatternType;
  /** `Type:name`, e.g. `User:alice`; `User:*` for every user. */
  principal: string;
  /** A client IP address, or `*`. */
  host: string;
  operation: AclOperation;
  permission: AclPermission;
}

/**
 * Which ACLs DescribeAcls lists or DeleteAcls removes. `null` fields and `ANY` match everything.
 * `patternType: 'MATCH'` finds the ACLs that *apply* to the named resource (literal equal, literal `*`,
 * and every prefix of it); a concrete pattern type matches only ACLs stored with that type and name.
 *
 * @example
 * // everything that would govern topic "orders-eu":
 * describeAcls({ ...ACL_FILTER_ANY, resourceType: 'TOPIC', resourceName: 'orders-eu', patternType: 'MATCH' });
 */
export interface AclBindingFilter {
  resourceType: ResourceType | 'ANY';
  resourceName: string | null;
  patternType: PatternType | 'ANY' | 'MATCH';
  principal: string | null;
  host: string | null;
  operation: AclOperation | 'ANY';
  permission: AclPermission | 'ANY';
}

/** The filter that matches every ACL (Kafka's `AclBindingFilter.ANY`). */
export const ACL_FILTER_ANY: Readonly<AclBindingFilter> = Object.freeze({
  resourceType: 'ANY',
  resourceName: null,
  patternType: 'ANY',
  principal: null,
  host: null,
  operation: 'ANY',
  permission: 'ANY',
});

/** One thing a request wants to do, as Kafka's `Action`. */
export interface AuthorizationAction {
  operation: AclOperation;
  resourceType: ResourceType;
  resourceName: string;
}

/** Who asks: the authenticated principal (`User:ANONYMOUS` when unauthenticated) and its address. */
export interface RequestContext {
  principal: string;
  host: string;
}

/** Configuration of an {@link AclAuthorizer}, with Kafka's names in the docs. */
export interface AuthorizerConfig {
  /** `super.users`: an array, or Kafka's `User:a;User:b` string. */
  superUsers?: readonly string[] | string;
  /** `allow.everyone.if.no.acl.found`; default false. */
  allowEveryoneIfNoAclFound?: boolean;
}

const RESOURCE_TYPES = new Set<string>(['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID']);
const PATTERN_TYPES = new Set<string>(['LITERAL', 'PREFIXED']);
const OPERATIONS = new Set<string>(Object.keys(OPERATION_CODES).filter((k) => k !== 'ANY'));
const PERMISSIONS = new Set<string>(['ALLOW', 'DENY']);

function invalid(message: string): TributaryError {
  return new TributaryError('INVALID_ACL', message);
}

/**
 * Splits `Type:name` at the first colon, as Kafka's `SecurityUtils.parseKafkaPrincipal`.
 *
 * @example
 * parsePrincipal('User:CN=alice,O=acme'); // { type: 'User', name: 'CN=alice,O=acme' }
 */
export function parsePrincipal(principal: string): { type: string; name: string } {
  const colon = typeof principal === 'string' ? principal.indexOf(':') : -1;
  if (colon <= 0 || colon === principal.length - 1) {
    throw invalid(`expected a string in format principalType:principalName but got ${String(principal)}`);
  }
  return { type: principal.slice(0, colon), name: principal.slice(colon + 1) };
}

/**
 * Parses Kafka's `super.users` value (`User:a;User:b`, blanks ignored).
 *
 * @example
 * parseSuperUsers(' User:bob;User:alice '); // ['User:bob', 'User:alice']
 */
export function parseSuperUsers(value: string): string[] {
  const users = value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const u of users) parsePrincipal(u);
  return users;
}

/**
 * Checks a binding as Kafka's controller does before storing it: concrete resource type, LITERAL
 * or PREFIXED, a concrete operation and permission, a non-empty name, a `Type:name` principal, and
 * `kafka-cluster` as the only CLUSTER name. Throws `INVALID_ACL`; returns a normalised copy.
 *
 * @example
 * validateAclBinding({ ...acl, operation: 'ANY' }); // throws INVALID_ACL
 */
export function validateAclBinding(binding: AclBinding): AclBinding {
  if (!RESOURCE_TYPES.has(binding.resourceType)) throw invalid(`Invalid resourceType ${String(binding.resourceType)}`);
  if (!PATTERN_TYPES.has(binding.patternType)) throw invalid(`Invalid patternType ${String(binding.patternType)}`);
  if (!OPERATIONS.has(binding.operation)) throw invalid(`Invalid operation ${String(binding.operation)}`);
  if (!PERMISSIONS.has(binding.permission)) throw invalid(`Invalid permissionType ${String(binding.permission)}`);
  if (typeof binding.resourceName !== 'string' || binding.resourceName === '')
    throw invalid('Resource name should not be empty');
  if (binding.resourceType === 'CLUSTER' && binding.resourceName !== CLUSTER_RESOURCE_NAME) {
    throw invalid(`The only valid name for a CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`);
  }
  parsePrincipal(binding.principal);
  if (typeof binding.host !== 'string' || binding.host === '')
    throw invalid('Host should not be empty; use * for every host');
  return {
    resourceType: binding.resourceType,
    resourceName: binding.resourceName,
    patternType: binding.patternType,
    principal: binding.principal,
    host: normaliseHost(binding.host),
    operation: binding.operation,
    permission: binding.permission,
  };
}

/**
 * Checks a filter: known enum values (`ANY`/`MATCH` allowed) and `Type:name` principals. Throws `INVALID_ACL`.
 *
 * @example
 * validateAclFilter({ ...ACL_FILTER_ANY, operation: 'FLY' as never }); // throws INVALID_ACL
 */
export function validateAclFilter(filter: AclBindingFilter): AclBindingFilter {
  if (filter.resourceType !== 'ANY' && !RESOURCE_TYPES.has(filter.resourceType))
    throw invalid(`Invalid resourceType ${String(filter.resourceType)}`);
  if (filter.patternType !== 'ANY' && filter.patternType !== 'MATCH' && !PATTERN_TYPES.has(filter.patternType)) {
    throw invalid(`Invalid patternType ${String(filter.patternType)}`);
  }
  if (filter.operation !== 'ANY' && !OPERATIONS.has(filter.operation))
    throw invalid(`Invalid operation ${String(filter.operation)}`);
  if (filter.permission !== 'ANY' && !PERMISSIONS.has(filter.permission))
    throw invalid(`Invalid permissionType ${String(filter.permission)}`);
  if (filter.principal !== null) parsePrincipal(filter.principal);
  return { ...filter, host: filter.host === null ? null : normaliseHost(filter.host) };
}

/**
 * Whether a filter selects a binding (Kafka's `AclBindingFilter.matches`).
 *
 * @example
 * aclFilterMatches({ ...ACL_FILTER_ANY, resourceType: 'TOPIC' }, topicAcl); // true
 */
export function aclFilterMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  if (filter.resourceType !== 'ANY' && filter.resourceType !== binding.resourceType) return false;
  if (filter.operation !== 'ANY' && filter.operation !== binding.operation) return false;
  if (filter.permission !== 'ANY' && filter.permission !== binding.permission) return false;
  if (filter.principal !== null && filter.principal !== binding.principal) return false;
  if (filter.host !== null && normaliseHost(filter.host) !== binding.host) return false;
  if (filter.patternType === 'MATCH') {
    if (filter.resourceName === null) return true;
    return resourceMatches(binding, filter.resourceName);
  }
  if (filter.patternType !== 'ANY' && filter.patternType !== binding.patternType) return false;
  return filter.resourceName === null || filter.resourceName === binding.resourceName;
}

/** Whether an ACL's resource pattern covers a concrete resource name. */
function resourceMatches(acl: AclBinding, name: string): boolean {
  if (acl.patternType === 'LITERAL') return acl.resourceName === name || acl.resourceName === WILDCARD;
  return name.startsWith(acl.resourceName);
}

/** Node reports IPv4 clients of a dual-stack socket as `::ffff:a.b.c.d`; Kafka's ACLs name them `a.b.c.d`. */
function normaliseHost(host: string): string {
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
}

function principalMatches(aclPrincipal: string, principal: string): boolean {
  return aclPrincipal === principal || (aclPrincipal === WILDCARD_PRINCIPAL && principal.startsWith('User:'));
}

/** Operations an ALLOW of the key also allows (Kafka: DESCRIBE and DESCRIBE_CONFIGS are implied). */
const IMPLIES: Partial<Record<AclOperation, readonly AclOperation[]>> = {
  DESCRIBE: ['READ', 'WRITE', 'DELETE', 'ALTER'],
  DESCRIBE_CONFIGS: ['ALTER_CONFIGS'],
};

function keyOf(b: AclBinding): string {
  return JSON.stringify([
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
 * Kafka's authorizer over an in-memory ACL set. The broker persists the ACLs (in the log, as Kafka
 * keeps them in the metadata log) and replays them with {@link createAcls} on start.
 *
 * @example
 * const authz = new AclAuthorizer({ superUsers: ['User:admin'], allowEveryoneIfNoAclFound: false });
 * authz.createAcls([{ resourceType: 'GROUP', resourceName: 'billing', patternType: 'LITERAL',
 *   principal: 'User:bob', host: '*', operation: 'READ', permission: 'ALLOW' }]);
 * authz.authorizeOne({ principal: 'User:bob', host: '127.0.0.1' }, { operation: 'READ', resourceType: 'GROUP', resourceName: 'billing' }); // 'ALLOWED'
 * authz.deleteAcls([{ ...ACL_FILTER_ANY, principal: 'User:bob' }]); // [[that binding]]
 */
export class AclAuthorizer {
  readonly superUsers: ReadonlySet<string>;
  readonly allowEveryoneIfNoAclFound: boolean;
  // Insertion order is kept, so DescribeAcls lists ACLs in the order they were created.
  readonly #acls = new Map<string, AclBinding>();

  constructor(config: AuthorizerConfig = {}) {
    const su = config.superUsers ?? [];
    const users = typeof su === 'string' ? parseSuperUsers(su) : [...su];
    for (const u of users) parsePrincipal(u);
    this.superUsers = new Set(users);
    this.allowEveryoneIfNoAclFound = config.allowEveryoneIfNoAclFound ?? false;
  }

  /**
   * CreateAcls: validates every binding first, then stores them all (none when one is invalid).
   * Creating an ACL that exists is a no-op, as in Kafka. Returns the normalised bindings.
   */
  createAcls(bindings: readonly AclBinding[]): AclBinding[] {
    const valid = bindings.map(validateAclBinding);
    for (const b of valid) this.#acls.set(keyOf(b), b);
    return valid;
  }

  /** DescribeAcls: the ACLs the filter selects, in creation order. */
  describeAcls(filter: AclBindingFilter = ACL_FILTER_ANY): AclBinding[] {
    const f = validateAclFilter(filter);
    return [...this.#acls.values()].filter((b) => aclFilterMatches(f, b)).map((b) => ({ ...b }));
  }

  /** DeleteAcls: for each filter, the ACLs it removed. All filters are validated before any ACL goes. */
  deleteAcls(filters: readonly AclBindingFilter[]): AclBinding[][] {
    const valid = filters.map(validateAclFilter);
    return valid.map((f) => {
      const removed: AclBinding[] = [];
      for (const [key, b] of this.#acls) {
        if (aclFilterMatches(f, b)) {
          this.#acls.delete(key);
          removed.push({ ...b });
        }
      }
      return removed;
    });
  }

  /** Every action's result, in order (Kafka's `Authorizer.authorize`). */
  authorize(context: RequestContext, actions: readonly AuthorizationAction[]): AuthorizationResult[] {
    return actions.map((a) => this.authorizeOne(context, a));
  }

  /** One action's result. */
  authorizeOne(context: RequestContext, action: AuthorizationAction): AuthorizationResult {
    if (this.superUsers.has(context.principal)) return 'ALLOWED';
    const host = normaliseHost(context.host);
    const implied = IMPLIES[action.operation] ?? [];
    let resourceHasAcls = false;
    let allowed = false;
    for (const acl of this.#acls.values()) {
      if (acl.resourceType !== action.resourceType || !resourceMatches(acl, action.resourceName)) continue;
      resourceHasAcls = true;
      if (!principalMatches(acl.principal, context.principal)) continue;
      if (acl.host !== WILDCARD && acl.host !== host) continue;
      if (acl.permission === 'DENY') {
        // DENY wins over any ALLOW, but is never widened by implication.
        if (acl.operation === 'ALL' || acl.operation === action.operation) return 'DENIED';
      } else if (acl.operation === 'ALL' || acl.operation === action.operation || implied.includes(acl.operation)) {
        allowed = true;
      }
    }
    if (allowed) return 'ALLOWED';
    return !resourceHasAcls && this.allowEveryoneIfNoAclFound ? 'ALLOWED' : 'DENIED';
  }
}

/**
 * The error code Kafka answers a denied action with, by resource type (Kafka's `AclEntry.authorizationError`).
 *
 * @example
 * if (authz.authorizeOne(ctx, action) === 'DENIED') throw new TributaryError(authorizationErrorCode(action.resourceType), `Not authorized to ${action.operation} ${action.resourceName}`);
 */
export function authorizationErrorCode(
  resourceType: ResourceType,
):
  | 'TOPIC_AUTHORIZATION_FAILED'
  | 'GROUP_AUTHORIZATION_FAILED'
  | 'CLUSTER_AUTHORIZATION_FAILED'
  | 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' {
  switch (resourceType) {
    case 'TOPIC':
      return 'TOPIC_AUTHORIZATION_FAILED';
    case 'GROUP':
      return 'GROUP_AUTHORIZATION_FAILED';
    case 'CLUSTER':
      return 'CLUSTER_AUTHORIZATION_FAILED';
    case 'TRANSACTIONAL_ID':
      return 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED';
    default:
      throw invalid(`Invalid resourceType ${String(resourceType)}`);
  }
}
