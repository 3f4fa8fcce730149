/**
 * kafkajs's ACL enums, with Kafka's protocol values (the numbers CreateAcls, DescribeAcls and
 * DeleteAcls carry), so that programs and the wire client name ACL bindings as kafkajs does.
 *
 * @example
 * const binding = { resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL,
 *   principal: 'User:bob', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW };
 */

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
