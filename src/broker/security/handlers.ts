/**
 * CreateAcls (30), DescribeAcls (29), DeleteAcls (31), DescribeUserScramCredentials (50) and
 * AlterUserScramCredentials (51), over the {@link SecurityStore} kept in the log.
 *
 * As in Kafka: the ACL APIs answer SECURITY_DISABLED without an authorizer; creating and deleting
 * ACLs or credentials needs CLUSTER ALTER, describing them CLUSTER DESCRIBE; an invalid binding gets
 * INVALID_REQUEST; AlterUserScramCredentials takes the salted password (`Hi(password, salt, i)`,
 * never the password) and answers per user (UNACCEPTABLE_CREDENTIAL, UNSUPPORTED_SASL_MECHANISM,
 * RESOURCE_NOT_FOUND, DUPLICATE_RESOURCE); credentials are described by mechanism and iterations only.
 */
import { TributaryError } from '../../errors.ts';
import { API } from '../../protocol/messages/index.ts';
import {
  type AclBinding,
  type AclBindingFilter,
  type AclOperation,
  type AclPermission,
  OPERATION_CODES,
  PATTERN_TYPE_CODES,
  PERMISSION_CODES,
  type PatternType,
  RESOURCE_TYPE_CODES,
  type ResourceType,
  validateAclBinding,
  validateAclFilter,
} from '../../security/acl.ts';
import {
  SCRAM_MAX_ITERATIONS,
  SCRAM_MECHANISM_CODES,
  SCRAM_MIN_ITERATIONS,
  type ScramCredential,
  type ScramMechanism,
  scramFormatter,
} from '../../security/scram.ts';
import type { BrokerContext, RequestInfo } from '../context.ts';
import { handler } from '../handler.ts';
import { authorize, CLUSTER, DENIED, SECURITY_DISABLED } from './authorize.ts';

const NONE = 0;
const INVALID_REQUEST = 42;
const UNSUPPORTED_SASL_MECHANISM = 33;
const RESOURCE_NOT_FOUND = 91;
const DUPLICATE_RESOURCE = 92;
const UNACCEPTABLE_CREDENTIAL = 93;
const NO_AUTHORIZER = 'No Authorizer is configured.';

const invert = <K extends string>(codes: Record<K, number>) =>
  new Map<number, K>(Object.entries(codes).map(([k, v]) => [v as number, k as K]));
const RESOURCE_TYPES = invert(RESOURCE_TYPE_CODES);
const PATTERN_TYPES = invert(PATTERN_TYPE_CODES);
const OPERATIONS = invert(OPERATION_CODES);
const PERMISSIONS = invert(PERMISSION_CODES);
const MECHANISMS = invert(SCRAM_MECHANISM_CODES);

function decodeEnum<K extends string>(map: Map<number, K>, code: number, what: string): K {
  const name = map.get(code);
  if (name === undefined) throw new TributaryError('INVALID_ACL', `Unknown ${what} ${code}`);
  return name;
}

function bindingOf(c: {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}): AclBinding {
  return {
    resourceType: decodeEnum(RESOURCE_TYPES, c.resourceType, 'resource type') as ResourceType,
    resourceName: c.resourceName,
    patternType: decodeEnum(PATTERN_TYPES, c.resourcePatternType, 'pattern type') as PatternType,
    principal: c.principal,
    host: c.host,
    operation: decodeEnum(OPERATIONS, c.operation, 'operation') as AclOperation,
    permission: decodeEnum(PERMISSIONS, c.permissionType, 'permission') as AclPermission,
  };
}

function filterOf(f: {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}): AclBindingFilter {
  return {
    resourceType: decodeEnum(RESOURCE_TYPES, f.resourceTypeFilter, 'resource type') as AclBindingFilter['resourceType'],
    resourceName: f.resourceNameFilter,
    patternType: decodeEnum(PATTERN_TYPES, f.patternTypeFilter, 'pattern type') as AclBindingFilter['patternType'],
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: decodeEnum(OPERATIONS, f.operation, 'operation') as AclBindingFilter['operation'],
    permission: decodeEnum(PERMISSIONS, f.permissionType, 'permission') as AclBindingFilter['permission'],
  };
}

const wire = (b: AclBinding) => ({
  resourceType: RESOURCE_TYPE_CODES[b.resourceType],
  resourceName: b.resourceName,
  patternType: PATTERN_TYPE_CODES[b.patternType],
  principal: b.principal,
  host: b.host,
  operation: OPERATION_CODES[b.operation],
  permissionType: PERMISSION_CODES[b.permission],
});

const clusterCan = (broker: BrokerContext, info: RequestInfo, op: 'ALTER' | 'DESCRIBE') =>
  authorize(broker, info, op, 'CLUSTER', CLUSTER);

export const createAclsHandler = handler(API.CreateAcls, async (broker, req, info) => {
  const each = (errorCode: number, errorMessage: string | null) => ({
    throttleTimeMs: 0,
    results: req.creations.map(() => ({ errorCode, errorMessage })),
  });
  if (broker.security.authorizer === undefined) return each(SECURITY_DISABLED, NO_AUTHORIZER);
  if (!clusterCan(broker, info, 'ALTER')) return each(DENIED.CLUSTER, null);
  const store = await broker.security.store();
  const results: { errorCode: number; errorMessage: string | null }[] = [];
  const valid: AclBinding[] = [];
  for (const c of req.creations) {
    try {
      valid.push(validateAclBinding(bindingOf(c)));
      results.push({ errorCode: NONE, errorMessage: null });
    } catch (err) {
      results.push({ errorCode: INVALID_REQUEST, errorMessage: (err as Error).message });
    }
  }
  // Each binding on its own, as Kafka answers each creation.
  for (let i = 0, v = 0; i < results.length; i++) {
    if (results[i]!.errorCode !== NONE) continue;
    try {
      await store.createAcls([valid[v]!]);
    } catch (err) {
      results[i] = { errorCode: INVALID_REQUEST, errorMessage: (err as Error).message };
    }
    v++;
  }
  return { throttleTimeMs: 0, results };
});

export const describeAclsHandler = handler(API.DescribeAcls, async (broker, req, info) => {
  const fail = (errorCode: number, errorMessage: string | null) => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    resources: [],
  });
  if (broker.security.authorizer === undefined) return fail(SECURITY_DISABLED, NO_AUTHORIZER);
  if (!clusterCan(broker, info, 'DESCRIBE')) return fail(DENIED.CLUSTER, null);
  let filter: AclBindingFilter;
  try {
    filter = filterOf(req);
  } catch (err) {
    return fail(INVALID_REQUEST, (err as Error).message);
  }
  const store = await broker.security.store();
  let acls: AclBinding[];
  try {
    acls = store.describeAcls(filter);
  } catch (err) {
    return fail(INVALID_REQUEST, (err as Error).message);
  }
  const resources = new Map<string, ReturnType<typeof wire> & { acls: ReturnType<typeof wire>[] }>();
  for (const b of acls) {
    const key = JSON.stringify([b.resourceType, b.patternType, b.resourceName]);
    let r = resources.get(key);
    if (r === undefined) {
      r = { ...wire(b), acls: [] };
      resources.set(key, r);
    }
    r.acls.push(wire(b));
  }
  return {
    throttleTimeMs: 0,
    errorCode: NONE,
    errorMessage: null,
    resources: [...resources.values()].map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      patternType: r.patternType,
      acls: r.acls.map((a) => ({
        principal: a.principal,
        host: a.host,
        operation: a.operation,
        permissionType: a.permissionType,
      })),
    })),
  };
});

export const deleteAclsHandler = handler(API.DeleteAcls, async (broker, req, info) => {
  const each = (errorCode: number, errorMessage: string | null) => ({
    throttleTimeMs: 0,
    filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
  });
  if (broker.security.authorizer === undefined) return each(SECURITY_DISABLED, NO_AUTHORIZER);
  if (!clusterCan(broker, info, 'ALTER')) return each(DENIED.CLUSTER, null);
  const store = await broker.security.store();
  const filters: (AclBindingFilter | Error)[] = req.filters.map((f) => {
    try {
      return validateAclFilter(filterOf(f));
    } catch (err) {
      return err as Error;
    }
  });
  const valid = filters.filter((f): f is AclBindingFilter => !(f instanceof Error));
  const removed = await store.deleteAcls(valid);
  let v = 0;
  return {
    throttleTimeMs: 0,
    filterResults: filters.map((f) => {
      if (f instanceof Error) return { errorCode: INVALID_REQUEST, errorMessage: f.message, matchingAcls: [] };
      return {
        errorCode: NONE,
        errorMessage: null,
        matchingAcls: removed[v++]!.map((b) => ({ errorCode: NONE, errorMessage: null, ...wire(b) })),
      };
    }),
  };
});

export const describeUserScramCredentialsHandler = handler(
  API.DescribeUserScramCredentials,
  async (broker, req, info) => {
    if (!clusterCan(broker, info, 'DESCRIBE')) {
      return { throttleTimeMs: 0, errorCode: DENIED.CLUSTER, errorMessage: null, results: [] };
    }
    const store = await broker.security.store();
    const users = store.scramUsers();
    const infos = (u: (typeof users)[number]) =>
      u.credentials.map((c) => ({ mechanism: SCRAM_MECHANISM_CODES[c.mechanism], iterations: c.iterations }));
    if (req.users === null || req.users.length === 0) {
      return {
        throttleTimeMs: 0,
        errorCode: NONE,
        errorMessage: null,
        results: users.map((u) => ({ user: u.user, errorCode: NONE, errorMessage: null, credentialInfos: infos(u) })),
      };
    }
    const counts = new Map<string, number>();
    for (const u of req.users) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
    return {
      throttleTimeMs: 0,
      errorCode: NONE,
      errorMessage: null,
      results: [...counts.entries()].map(([name, count]) => {
        if (count > 1) {
          return {
            user: name,
            errorCode: DUPLICATE_RESOURCE,
            errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request',
            credentialInfos: [],
          };
        }
        const found = users.find((u) => u.user === name);
        return found === undefined
          ? {
              user: name,
              errorCode: RESOURCE_NOT_FOUND,
              errorMessage: 'Attempt to describe a user credential that does not exist',
              credentialInfos: [],
            }
          : { user: name, errorCode: NONE, errorMessage: null, credentialInfos: infos(found) };
      }),
    };
  },
);

export const alterUserScramCredentialsHandler = handler(API.AlterUserScramCredentials, async (broker, req, info) => {
  const names = [...new Set([...req.deletions.map((d) => d.name), ...req.upsertions.map((u) => u.name)])];
  if (!clusterCan(broker, info, 'ALTER')) {
    return {
      throttleTimeMs: 0,
      results: names.map((user) => ({ user, errorCode: DENIED.CLUSTER, errorMessage: null })),
    };
  }
  const store = await broker.security.store();
  const errors = new Map<string, { errorCode: number; errorMessage: string }>();
  const fail = (user: string, errorCode: number, errorMessage: string) => {
    if (!errors.has(user)) errors.set(user, { errorCode, errorMessage });
  };
  // A user named twice for the same mechanism is refused as a whole, as Kafka does.
  const seen = new Set<string>();
  for (const a of [...req.deletions, ...req.upsertions]) {
    const key = `${a.name}\0${a.mechanism}`;
    if (seen.has(key))
      fail(a.name, DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request');
    seen.add(key);
  }
  for (const a of [...req.deletions, ...req.upsertions]) {
    if (a.name === '') fail(a.name, UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
    if (!MECHANISMS.has(a.mechanism)) fail(a.name, UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
  }
  for (const d of req.deletions) {
    const mechanism = MECHANISMS.get(d.mechanism);
    if (mechanism !== undefined && store.scramCredential(d.name, mechanism) === undefined) {
      fail(d.name, RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
    }
  }
  const credentials: { user: string; credential: ScramCredential }[] = [];
  for (const u of req.upsertions) {
    const mechanism = MECHANISMS.get(u.mechanism);
    if (mechanism === undefined) continue;
    if (u.iterations < SCRAM_MIN_ITERATIONS) {
      fail(u.name, UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
      continue;
    }
    if (u.iterations > SCRAM_MAX_ITERATIONS) {
      fail(u.name, UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
      continue;
    }
    if (u.salt.length === 0 || u.saltedPassword.length === 0) {
      fail(u.name, UNACCEPTABLE_CREDENTIAL, 'Salt and salted password must not be empty');
      continue;
    }
    credentials.push({ user: u.name, credential: credentialFromSalted(mechanism, u) });
  }
  for (const d of req.deletions) {
    const mechanism = MECHANISMS.get(d.mechanism);
    if (mechanism !== undefined && !errors.has(d.name)) await store.deleteScram(d.name, mechanism);
  }
  for (const c of credentials) {
    if (!errors.has(c.user)) await store.putScramCredential(c.user, c.credential);
  }
  return {
    throttleTimeMs: 0,
    results: names.map((user) => ({
      user,
      errorCode: errors.get(user)?.errorCode ?? NONE,
      errorMessage: errors.get(user)?.errorMessage ?? null,
    })),
  };
});

/** Kafka's `ScramCredential` from an upsertion: StoredKey and ServerKey from the salted password. */
function credentialFromSalted(
  mechanism: ScramMechanism,
  u: { iterations: number; salt: Uint8Array; saltedPassword: Uint8Array },
): ScramCredential {
  const f = scramFormatter(mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
  return {
    mechanism,
    salt: Uint8Array.from(u.salt),
    iterations: u.iterations,
    storedKey: f.storedKey(f.clientKey(u.saltedPassword)),
    serverKey: f.serverKey(u.saltedPassword),
  };
}
