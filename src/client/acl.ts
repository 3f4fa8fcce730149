/**
 * kafkajs's ACL enums, with Kafka's protocol values (the numbers CreateAcls, DescribeAcls and
 * DeleteAcls carry), so that programs and the wire client name ACL bindings as kafkajs does.
 *
 * @example
 * const binding = { resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL,
 *   principal: 'User:bob', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW };
 */

import {
  type AclBinding as SecurityAclBinding,
  type AclBindingFilter as SecurityAclBindingFilter,
  OPERATION_CODES,
  PATTERN_TYPE_CODES,
  PERMISSION_CODES,
  RESOURCE_TYPE_CODES,
} from '../security/acl.ts';
import { TributaryError } from '../errors.ts';

// kafkajs's names for the authorizer model's codes (src/security/acl.ts, which the broker's
// authorizer and ACL handlers use): the converters below go through the names, and a test checks
// that every member's number is the model's code.

/** What an ACL binding protects. */
export enum AclResourceTypes {
  UNKNOWN = 0,
  ANY = 1,
  TOPIC = 2,
  GROUP = 3,
  CLUSTER = 4,
  TRANSACTIONAL_ID = 5,
  DELEGATION_TOKEN = 6,
}

/** What an ACL binding allows or denies. */
export enum AclOperationTypes {
  UNKNOWN = 0,
  ANY = 1,
  ALL = 2,
  READ = 3,
  WRITE = 4,
  CREATE = 5,
  DELETE = 6,
  ALTER = 7,
  DESCRIBE = 8,
  CLUSTER_ACTION = 9,
  DESCRIBE_CONFIGS = 10,
  ALTER_CONFIGS = 11,
  IDEMPOTENT_WRITE = 12,
}

/** Whether an ACL binding allows or denies. */
export enum AclPermissionTypes {
  UNKNOWN = 0,
  ANY = 1,
  DENY = 2,
  ALLOW = 3,
}

/** How an ACL binding's resource name matches: exactly, or as a prefix (MATCH and ANY in filters). */
export enum ResourcePatternTypes {
  UNKNOWN = 0,
  ANY = 1,
  MATCH = 2,
  LITERAL = 3,
  PREFIXED = 4,
}

/**
 * One ACL binding, as kafkajs's `admin.createAcls({ acl })` takes it.
 *
 * @example
 * const binding: AclBinding = { resourceType: AclResourceTypes.TOPIC, resourceName: 'orders',
 *   resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:bob', host: '*',
 *   operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW };
 */
export interface AclBinding {
  resourceType: AclResourceTypes;
  resourceName: string;
  resourcePatternType: ResourcePatternTypes;
  principal: string;
  host: string;
  operation: AclOperationTypes;
  permissionType: AclPermissionTypes;
}

/**
 * A filter over ACL bindings (kafkajs's `AclFilter`): an omitted name, principal or host matches any.
 *
 * @example
 * const filter: AclFilter = { resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY,
 *   operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY };
 */
export interface AclFilter {
  resourceType: AclResourceTypes;
  resourceName?: string;
  resourcePatternType: ResourcePatternTypes;
  principal?: string;
  host?: string;
  operation: AclOperationTypes;
  permissionType: AclPermissionTypes;
}

/** One access-control entry of a resource (kafkajs's `AclEntry`). */
export interface AclEntry {
  principal: string;
  host: string;
  operation: AclOperationTypes;
  permissionType: AclPermissionTypes;
}

/** kafkajs's `describeAcls` result: the matching bindings grouped by resource. */
export interface DescribeAclResponse {
  throttleTime: number;
  errorCode: number;
  errorMessage?: string | null;
  resources: {
    resourceType: AclResourceTypes;
    resourceName: string;
    resourcePatternType: ResourcePatternTypes;
    acls: AclEntry[];
  }[];
}

/** kafkajs's `deleteAcls` result: per filter, the bindings it deleted. */
export interface DeleteAclResponse {
  throttleTime: number;
  filterResponses: {
    errorCode: number;
    errorMessage?: string | null;
    matchingAcls: (AclBinding & { errorCode: number; errorMessage?: string | null })[];
  }[];
}

function nameOf<E extends Record<string | number, string | number>>(e: E, code: number, what: string): string {
  const name = (e as Record<number, string>)[code];
  if (typeof name !== 'string' || name === 'UNKNOWN') {
    throw new TributaryError('INVALID_ACL', `Unknown ${what} ${String(code)}`);
  }
  return name;
}

/**
 * A kafkajs binding as the authorizer's model names it (`AclResourceTypes.TOPIC` → `'TOPIC'`).
 *
 * @example
 * toAuthorizerBinding({ resourceType: AclResourceTypes.TOPIC, ... }).resourceType; // 'TOPIC'
 */
export function toAuthorizerBinding(b: AclBinding): SecurityAclBinding {
  return {
    resourceType: nameOf(AclResourceTypes, b.resourceType, 'resource type') as SecurityAclBinding['resourceType'],
    resourceName: b.resourceName,
    patternType: nameOf(
      ResourcePatternTypes,
      b.resourcePatternType,
      'pattern type',
    ) as SecurityAclBinding['patternType'],
    principal: b.principal,
    host: b.host,
    operation: nameOf(AclOperationTypes, b.operation, 'operation') as SecurityAclBinding['operation'],
    permission: nameOf(AclPermissionTypes, b.permissionType, 'permission') as SecurityAclBinding['permission'],
  };
}

/** A kafkajs filter as the authorizer's model names it; omitted name, principal and host match any. */
export function toAuthorizerFilter(f: AclFilter): SecurityAclBindingFilter {
  return {
    resourceType: nameOf(AclResourceTypes, f.resourceType, 'resource type') as SecurityAclBindingFilter['resourceType'],
    resourceName: f.resourceName ?? null,
    patternType: nameOf(
      ResourcePatternTypes,
      f.resourcePatternType,
      'pattern type',
    ) as SecurityAclBindingFilter['patternType'],
    principal: f.principal ?? null,
    host: f.host ?? null,
    operation: nameOf(AclOperationTypes, f.operation, 'operation') as SecurityAclBindingFilter['operation'],
    permission: nameOf(AclPermissionTypes, f.permissionType, 'permission') as SecurityAclBindingFilter['permission'],
  };
}

/** The authorizer's binding with kafkajs's enum numbers. */
export function fromAuthorizerBinding(b: SecurityAclBinding): AclBinding {
  return {
    resourceType: RESOURCE_TYPE_CODES[b.resourceType] as number as AclResourceTypes,
    resourceName: b.resourceName,
    resourcePatternType: PATTERN_TYPE_CODES[b.patternType] as number as ResourcePatternTypes,
    principal: b.principal,
    host: b.host,
    operation: OPERATION_CODES[b.operation] as number as AclOperationTypes,
    permissionType: PERMISSION_CODES[b.permission] as number as AclPermissionTypes,
  };
}
