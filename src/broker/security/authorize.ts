/**
 * What a handler asks before it acts, as Kafka's `KafkaApis` asks its authorizer: one call per
 * resource, `authorize(broker, info, 'READ', 'TOPIC', name)`, true when allowed. Without an
 * authorizer everything is allowed, as in Kafka, except the hidden security topic, which no client
 * may see, read or write whatever its ACLs.
 *
 * Denials are answered with Kafka's codes ({@link DENIED}): TOPIC_AUTHORIZATION_FAILED (29),
 * GROUP_AUTHORIZATION_FAILED (30), CLUSTER_AUTHORIZATION_FAILED (31),
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53).
 *
 * @example
 * if (!authorize(broker, info, 'WRITE', 'TOPIC', topic)) return { errorCode: DENIED.TOPIC, … };
 */
import type { AclAuthorizer, AclOperation, ResourceType } from '../../security/acl.ts';
import type { BrokerContext, RequestInfo } from '../context.ts';
import { ANONYMOUS } from './listeners.ts';
import { SECURITY_TOPIC, type SecurityStore } from '../../security/store.ts';

/** The broker's security state that handlers see. */
export interface BrokerSecurity {
  /** The ACL authorizer; undefined when authorization is off (everything allowed). */
  readonly authorizer: AclAuthorizer | undefined;
  /** The users and ACLs store, opened on first use (it creates the hidden topic). */
  store(): Promise<SecurityStore>;
  /**
   * The security settings DescribeConfigs shows for the broker, with Kafka's names; a sensitive
   * one (a key's passphrase) has a null value, as Kafka shows it.
   */
  readonly configs: readonly { name: string; value: string | null; sensitive: boolean }[];
}

/** Kafka's denial codes, by resource type. */
export const DENIED = {
  TOPIC: 29,
  GROUP: 30,
  CLUSTER: 31,
  TRANSACTIONAL_ID: 53,
} as const satisfies Record<ResourceType, number>;

/** Kafka's SECURITY_DISABLED: an ACL API on a broker without an authorizer. */
export const SECURITY_DISABLED = 54;

/** The one name of the CLUSTER resource. */
export const CLUSTER = 'kafka-cluster';

/** Whether the request's principal may do `operation` on the resource. */
export function authorize(
  broker: BrokerContext,
  info: RequestInfo,
  operation: AclOperation,
  resourceType: ResourceType,
  resourceName: string,
): boolean {
  if (resourceType === 'TOPIC' && resourceName === SECURITY_TOPIC) return false;
  const authorizer = broker.security?.authorizer;
  if (authorizer === undefined) return true;
  const host = info.clientHost.startsWith('/') ? info.clientHost.slice(1) : info.clientHost;
  return (
    authorizer.authorizeOne(
      { principal: info.principal ?? ANONYMOUS, host },
      { operation, resourceType, resourceName },
    ) === 'ALLOWED'
  );
}

/** Whether the topic is hidden from clients (the security store's own topic). */
export function isHiddenTopic(topic: string): boolean {
  return topic === SECURITY_TOPIC;
}
