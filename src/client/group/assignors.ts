import type { TopicPartitions } from '../types.ts';

/** What an assignor knows of a member: what it subscribes to and, for cooperative ones, what it owns. */
export interface AssignorMember {
  memberId: string;
  topics: string[];
  ownedPartitions: TopicPartitions[];
}

/** A member's share: topic → partitions. */
export type Assignment = Record<string, number[]>;

/**
 * A partition assignor. The group leader runs the group's chosen one over every member's
 * subscription. `eager` assignors have every member give up all its partitions before a rebalance;
 * `cooperative` ones let members keep consuming the partitions that do not move.
 */
export interface PartitionAssignor {
  /** The protocol name members announce (Kafka's: `range`, `roundrobin`, `cooperative-sticky`). */
  readonly name: string;
  /** `eager`: members give up every partition before a rebalance; `cooperative`: only those that move. */
  readonly rebalanceProtocol: 'eager' | 'cooperative';
  /** Run by the group's leader: each member's partitions (by member id), given the members and each topic's partition count. */
  assign(
    members: AssignorMember[],
    partitionsPerTopic: ReadonlyMap<string, number>,
  ): Map<string, Assignment> | Promise<Map<string, Assignment>>;
}

function emptyAssignments(members: AssignorMember[]): Map<string, Assignment> {
  return new Map(members.map((m) => [m.memberId, {} as Assignment]));
}

function add(assignment: Assignment, topic: string, partition: number): void {
  const list = assignment[topic];
  if (list === undefined) assignment[topic] = [partition];
  else list.push(partition);
}

function byId(a: AssignorMember, b: AssignorMember): number {
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

/**
 * Kafka's `range`: per topic, members in id order each take a contiguous range, the first
 * `partitions % members` one extra.
 */
export const rangeAssignor: PartitionAssignor = {
  name: 'range',
  rebalanceProtocol: 'eager',
  assign(members, partitionsPerTopic) {
    const out = emptyAssignments(members);
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const subscribed = members.filter((m) => m.topics.includes(topic)).sort(byId);
      if (subscribed.length === 0) continue;
      const per = Math.floor(count / subscribed.length);
      const extra = count % subscribed.length;
      let next = 0;
      subscribed.forEach((m, i) => {
        const take = per + (i < extra ? 1 : 0);
        for (let k = 0; k < take; k++) add(out.get(m.memberId)!, topic, next++);
      });
    }
    return out;
  },
};

/**
 * kafkajs's default, `RoundRobinAssigner` (the protocol name kafkajs's members use, so they can
 * share a group): every topic-partition in order, dealt to members in turn, as Kafka's `roundrobin`.
 */
export const roundRobinAssignor: PartitionAssignor = {
  name: 'RoundRobinAssigner',
  rebalanceProtocol: 'eager',
  assign(members, partitionsPerTopic) {
    const out = emptyAssignments(members);
    const sorted = [...members].sort(byId);
    if (sorted.length === 0) return out;
    let turn = 0;
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (let p = 0; p < count; p++) {
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[turn++ % sorted.length]!;
          if (m.topics.includes(topic)) {
            add(out.get(m.memberId)!, topic, p);
            break;
          }
        }
      }
    }
    return out;
  },
};

/**
 * Kafka's `cooperative-sticky`: a balanced assignment that keeps as many partitions as it can where
 * they are. A partition that must move is left out of its new owner's share in this round, while
 * its old owner still holds it; the old owner gives it up and rejoins, and the follow-up rebalance
 * hands it over. Partitions that do not move are consumed throughout.
 */
export const cooperativeStickyAssignor: PartitionAssignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'cooperative',
  assign(members, partitionsPerTopic) {
    const sorted = [...members].sort(byId);
    const out = emptyAssignments(sorted);
    if (sorted.length === 0) return out;
    const key = (t: string, p: number) => `${t}\u0000${p}`;
    const all: { topic: string; partition: number }[] = [];
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!sorted.some((m) => m.topics.includes(topic))) continue;
      for (let p = 0; p < count; p++) all.push({ topic, partition: p });
    }
    const minQuota = Math.floor(all.length / sorted.length);
    let extras = all.length % sorted.length;
    const counts = new Map(sorted.map((m) => [m.memberId, 0]));
    const taken = new Map<string, string>();
    const previousOwner = new Map<string, string>();
    // Keep what each member owns, up to its quota.
    for (const m of sorted) {
      for (const tp of m.ownedPartitions) {
        for (const p of tp.partitions) {
          const k = key(tp.topic, p);
          if (!previousOwner.has(k)) previousOwner.set(k, m.memberId);
        }
      }
    }
    for (const m of sorted) {
      const owned = m.ownedPartitions.flatMap((tp) => tp.partitions.map((p) => ({ topic: tp.topic, partition: p })));
      for (const tp of owned) {
        const k = key(tp.topic, tp.partition);
        const count = partitionsPerTopic.get(tp.topic);
        if (count === undefined || tp.partition >= count || !m.topics.includes(tp.topic) || taken.has(k)) continue;
        const n = counts.get(m.memberId)!;
        const quota = n < minQuota ? minQuota : extras > 0 ? minQuota + 1 : minQuota;
        if (n >= quota) continue;
        if (n === minQuota) extras--;
        taken.set(k, m.memberId);
        counts.set(m.memberId, n + 1);
      }
    }
    // Deal the rest to the least-loaded subscribed member.
    for (const tp of all) {
      const k = key(tp.topic, tp.partition);
      if (taken.has(k)) continue;
      let best: AssignorMember | undefined;
      for (const m of sorted) {
        if (!m.topics.includes(tp.topic)) continue;
        if (best === undefined || counts.get(m.memberId)! < counts.get(best.memberId)!) best = m;
      }
      if (best === undefined) continue;
      taken.set(k, best.memberId);
      counts.set(best.memberId, counts.get(best.memberId)! + 1);
    }
    for (const tp of all) {
      const k = key(tp.topic, tp.partition);
      const owner = taken.get(k);
      if (owner === undefined) continue;
      const before = previousOwner.get(k);
      // Still held by another member: it is handed over in the follow-up rebalance.
      if (before !== undefined && before !== owner) continue;
      add(out.get(owner)!, tp.topic, tp.partition);
    }
    return out;
  },
};

/**
 * The assignors, by kafkajs's names (plus Kafka's range and cooperative-sticky).
 *
 * @example
 * tributary.consumer({ groupId: 'g', partitionAssigners: [PartitionAssigners.cooperativeSticky] });
 */
export const PartitionAssigners = {
  range: rangeAssignor,
  roundRobin: roundRobinAssignor,
  cooperativeSticky: cooperativeStickyAssignor,
} as const;

/** Kafka's ConsumerProtocol subscription v0 bytes (as kafkajs's AssignerProtocol), for describeGroups. */
export function encodeSubscription(topics: string[]): Buffer {
  const parts: Buffer[] = [int16(0), int32(topics.length)];
  for (const t of topics) parts.push(str(t));
  parts.push(int32(0));
  return Buffer.concat(parts);
}

/** Kafka's ConsumerProtocol assignment v0 bytes, for describeGroups. */
export function encodeAssignment(assignment: Assignment): Buffer {
  const topics = Object.keys(assignment).sort();
  const parts: Buffer[] = [int16(0), int32(topics.length)];
  for (const t of topics) {
    const ps = assignment[t]!;
    parts.push(str(t), int32(ps.length));
    for (const p of ps) parts.push(int32(p));
  }
  parts.push(int32(0));
  return Buffer.concat(parts);
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
function str(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([int16(bytes.length), bytes]);
}
