/**
 * What every handler is given: the log, the group coordinator shared with in-process clients, this
 * broker's identity as clients must see it, and the broker-wide settings Kafka has
 * (`auto.create.topics.enable`, `num.partitions`).
 */
import type { ReadAhead } from './read-ahead.ts';
import type { RequestMetrics } from './request-metrics.ts';
import type { Clock } from '../clock.ts';
import type { GroupCoordinator } from '../cluster/group-coordinator.ts';
import type { Logger } from '../client/logger.ts';
import type { LogBackend } from '../log/index.ts';
import type { BrokerSecurity } from './security/authorize.ts';
import type { TxnRegistry } from './transactions.ts';

/** Where clients reach this broker: what Metadata and FindCoordinator tell them. */
export interface Endpoint {
  host: string;
  port: number;
}

export interface BrokerContext {
  readonly log: LogBackend;
  readonly coordinator: GroupCoordinator;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This broker's node id (Kafka's `node.id`). */
  readonly nodeId: number;
  /** Kafka's cluster id: 22 base64url characters. */
  readonly clusterId: string;
  /** The advertised listener; set once the socket listens. */
  readonly endpoint: Endpoint;
  /** Kafka's `auto.create.topics.enable`. */
  readonly autoCreateTopics: boolean;
  /** Kafka's `num.partitions`: partitions of auto-created topics and of CreateTopics with -1. */
  readonly numPartitions: number;
  /** Kafka's `group.initial.rebalance.delay.ms` (see `BrokerOptions.groupInitialRebalanceDelayMs`). */
  readonly groupInitialRebalanceDelayMs: number;
  /** Whether acks=-1 waits for fsync (see `BrokerOptions.fsyncOnAcksAll`); absent means true. */
  readonly fsyncOnAcksAll?: boolean;
  /** Aborted when the broker closes: long polls answer with what they have. */
  readonly closing: AbortSignal;
  /**
   * Member ids handed out with MEMBER_ID_REQUIRED (JoinGroup v4+), by group, until the member
   * rejoins with one: Kafka's pending members.
   */
  readonly pendingMembers: Map<string, Set<string>>;
  /** The transactional producers and what their open transactions added. */
  readonly transactions: TxnRegistry;
  /** Every API this broker serves, with the versions it advertises (ApiVersions' answer). */
  readonly advertised: readonly { apiKey: number; minVersion: number; maxVersion: number }[];
  /** Users, ACLs and the authorizer (see `security/authorize.ts`). */
  readonly security: BrokerSecurity;
  /** Request latencies per API (see `request-metrics.ts`). */
  readonly requestMetrics: RequestMetrics;
  /** Fetch's read-ahead of the ranges consumers ask for next (see `read-ahead.ts`); none when absent. */
  readonly readAhead?: ReadAhead;
}

/** What a handler knows of the request beyond its body. */
export interface RequestInfo {
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** The client's address, as Kafka's describeGroups shows it (`/127.0.0.1`). */
  readonly clientHost: string;
  /** Who sent it: `User:ANONYMOUS`, the SASL user or the TLS certificate's subject. Default anonymous. */
  readonly principal?: string;
  /** What the listener the request came in on advertises (Metadata answers with it). */
  readonly endpoint?: Endpoint;
}
