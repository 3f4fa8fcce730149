/**
 * Tasks shared through the consumer-group coordinator: each instance is a member of the group
 * `applicationId` whose subscription lists the app's tasks and whose owned "partitions" are the
 * tasks it runs (as sub-topology → partitions). The leader deals tasks round-robin, as
 * InProcessTaskGroup does, but cooperatively: a task still owned by another member is withheld
 * for one generation, its owner revokes (commits and closes) it and rejoins, and only the next
 * generation hands it out. So a task never runs in two places, and tasks that stay put keep running.
 *
 * Interactive-query metadata travels the same way (Kafka Streams carries it in the protocol's user
 * data, which this codec does not): a member with an application server lists `@<host:port>` among
 * its subscribed "topics", and every member's assignment lists, besides its own tasks,
 * `@<host:port>@<subtopology>` → partitions for the tasks of each member that named a server. `@` is
 * not a character of Kafka topic names, so none of these is mistaken for a sub-topology.
 */
import type { Clock, TimerHandle } from '../../clock.ts';
import { hasCode } from '../../client/errors.ts';
import type { Assignment } from '../../client/group/assignors.ts';
import type { GroupCoordinator, JoinedMember } from '../../cluster/group-coordinator.ts';
import type { TopicPartitions } from '../../client/types.ts';
import type { TaskAssignor, TaskGroupMember } from './assignor.ts';
import { compareTaskIds } from './assignor.ts';

export const STREAMS_PROTOCOL = 'streams-roundrobin';
/** Marks the entries of subscriptions and assignments that name application servers. */
const HOST = '@';

/**
 * The group calls a {@link CoordinatorTaskGroup} makes: the in-process coordinator answers them,
 * and over the wire `runtime/wire-task-coordinator.ts` does with Kafka's group protocol.
 */
export type TaskGroupCoordinator = Pick<GroupCoordinator, 'joinGroup' | 'syncGroup' | 'heartbeat' | 'leaveGroup'> & {
  describeGroup(groupId: string): { members: readonly { memberId: string }[] };
};

/** Where a {@link CoordinatorTaskGroup} finds its group. */
export interface CoordinatorTaskGroupOptions {
  coordinator: TaskGroupCoordinator;
  clock: Clock;
  /** The app's `applicationId`. */
  groupId: string;
  clientId?: string;
  /** Clock ms without a heartbeat before a member is dropped. Default 45 000 (Kafka Streams'). */
  sessionTimeout?: number;
  /** Default 60 000. */
  rebalanceTimeout?: number;
  /** Default 3 000. */
  heartbeatInterval?: number;
}

export class CoordinatorTaskGroup implements TaskAssignor {
  readonly #options: CoordinatorTaskGroupOptions;
  readonly #members = new Map<string, Membership>();

  constructor(options: CoordinatorTaskGroupOptions) {
    this.#options = options;
  }

  async join(member: TaskGroupMember, tasks: string[]): Promise<void> {
    const membership = new Membership(this.#options, member, tasks);
    this.#members.set(member.memberId, membership);
    await membership.start();
  }

  async leave(memberId: string): Promise<void> {
    const membership = this.#members.get(memberId);
    this.#members.delete(memberId);
    await membership?.stop();
  }

  fenced(memberId: string): boolean {
    return this.#members.get(memberId)?.fenced() ?? false;
  }

  /** The coordinator's member ids of the instances that joined through this object. */
  memberIds(): string[] {
    return [...this.#members.values()].map((m) => m.coordinatorId).filter((id) => id !== '');
  }

  /** Resolves once no member of this group object is joining, syncing or revoking. */
  async settled(): Promise<void> {
    for (const m of this.#members.values()) await m.settled();
  }
}

class Membership {
  readonly #o: CoordinatorTaskGroupOptions;
  readonly #member: TaskGroupMember;
  readonly #tasks: string[];
  coordinatorId = '';
  #generation = -1;
  #owned: string[] = [];
  #rejoin = false;
  #cycle: Promise<void> | undefined;
  #stopped = false;
  #heartbeat: TimerHandle | undefined;

  constructor(options: CoordinatorTaskGroupOptions, member: TaskGroupMember, tasks: string[]) {
    this.#o = options;
    this.#member = member;
    this.#tasks = [...tasks].sort(compareTaskIds);
  }

  start(): Promise<void> {
    this.#requestRejoin();
    return this.#cycle!;
  }

  /** Holding tasks while the coordinator no longer counts this member in: a zombie. */
  fenced(): boolean {
    if (this.#owned.length === 0) return false;
    if (this.coordinatorId === '') return true;
    return !this.#o.coordinator.describeGroup(this.#o.groupId).members.some((m) => m.memberId === this.coordinatorId);
  }

  /** Dropped from the group: the tasks may have moved already, so they go without a commit. */
  async #lose(): Promise<void> {
    if (this.#owned.length === 0) return;
    this.#owned = [];
    await this.#member.lose();
  }

  async settled(): Promise<void> {
    while (this.#cycle !== undefined) await this.#cycle.catch(() => undefined);
  }

  /** Called once the instance committed and closed its tasks: leaving frees them at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#heartbeat !== undefined) this.#o.clock.clearTimeout(this.#heartbeat);
    this.#heartbeat = undefined;
    // Leaving first also ends a join or sync still waiting for other members.
    if (this.coordinatorId !== '') this.#o.coordinator.leaveGroup(this.#o.groupId, this.coordinatorId);
    await this.#cycle?.catch(() => undefined);
    this.coordinatorId = '';
  }

  #requestRejoin(): void {
    this.#rejoin = true;
    if (this.#cycle !== undefined || this.#stopped) return;
    const cycle = (async () => {
      try {
        while (this.#rejoin && !this.#stopped) {
          this.#rejoin = false;
          await this.#joinAndSync();
        }
      } finally {
        this.#cycle = undefined;
      }
    })();
    this.#cycle = cycle;
  }

  async #joinAndSync(): Promise<void> {
    const { coordinator, groupId } = this.#o;
    let join: Awaited<ReturnType<TaskGroupCoordinator['joinGroup']>>;
    try {
      join = await coordinator.joinGroup({
        groupId,
        memberId: this.coordinatorId,
        clientId: this.#o.clientId ?? groupId,
        sessionTimeout: this.#o.sessionTimeout ?? 45_000,
        rebalanceTimeout: this.#o.rebalanceTimeout ?? 60_000,
        protocols: [STREAMS_PROTOCOL],
        topics:
          this.#member.applicationServer === undefined
            ? this.#tasks
            : [...this.#tasks, `${HOST}${this.#member.applicationServer}`],
        ownedPartitions: toTopicPartitions(this.#owned),
        onRebalance: () => this.#requestRejoin(),
        onMemberId: (id) => {
          this.coordinatorId = id;
        },
      });
    } catch (err) {
      if (this.#stopped) return;
      if (!hasCode(err, 'UNKNOWN_MEMBER_ID')) throw err;
      // Dropped from the group (session timed out): its tasks may have moved already.
      await this.#lose();
      this.coordinatorId = '';
      this.#rejoin = true;
      return;
    }
    if (this.#stopped) {
      coordinator.leaveGroup(groupId, join.memberId);
      return;
    }
    this.coordinatorId = join.memberId;
    this.#generation = join.generationId;
    const assignments = join.leaderId === join.memberId ? assignTasks(join.members) : undefined;
    let assignment: Assignment;
    try {
      assignment = await coordinator.syncGroup({
        groupId,
        memberId: join.memberId,
        generationId: join.generationId,
        assignments,
      });
    } catch (err) {
      if (this.#stopped) return;
      if (hasCode(err, 'UNKNOWN_MEMBER_ID')) {
        this.coordinatorId = '';
        await this.#lose();
      } else if (!hasCode(err, 'REBALANCE_IN_PROGRESS') && !hasCode(err, 'ILLEGAL_GENERATION')) throw err;
      this.#rejoin = true;
      return;
    }
    const wanted = fromAssignment(assignment);
    const revoked = this.#owned.filter((t) => !wanted.includes(t));
    await this.#give(revoked);
    if (this.#stopped) return;
    this.#owned = wanted;
    this.#member.assign(wanted, hostsOf(assignment));
    this.#scheduleHeartbeat();
    // Tasks given up were withheld from their new owner: a follow-up rebalance hands them over.
    if (revoked.length > 0) this.#rejoin = true;
  }

  async #give(tasks: string[]): Promise<void> {
    if (tasks.length === 0) return;
    await this.#member.revoke(tasks);
    this.#owned = this.#owned.filter((t) => !tasks.includes(t));
  }

  #scheduleHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    const tick = () => {
      this.#heartbeat = undefined;
      if (this.#stopped) return;
      this.#beat();
      this.#heartbeat = this.#o.clock.setTimeout(tick, this.#o.heartbeatInterval ?? 3_000);
    };
    this.#heartbeat = this.#o.clock.setTimeout(tick, this.#o.heartbeatInterval ?? 3_000);
  }

  #beat(): void {
    if (this.coordinatorId === '' || this.#cycle !== undefined) return;
    try {
      this.#o.coordinator.heartbeat({
        groupId: this.#o.groupId,
        memberId: this.coordinatorId,
        generationId: this.#generation,
      });
    } catch (err) {
      if (hasCode(err, 'UNKNOWN_MEMBER_ID')) {
        this.coordinatorId = '';
        void this.#lose().finally(() => this.#requestRejoin());
        return;
      }
      this.#requestRejoin();
    }
  }
}

/**
 * The leader's deal: every task, in task order, round-robin over the members sorted by id; a task
 * another member still owns goes to nobody this generation.
 */
export function assignTasks(members: readonly JoinedMember[]): Map<string, Assignment> {
  const ids = members.map((m) => m.memberId).sort();
  const owner = new Map<string, string>();
  for (const m of members) for (const t of fromTopicPartitions(m.ownedPartitions)) owner.set(t, m.memberId);
  const tasks = [...new Set(members.flatMap((m) => m.topics.filter((t) => !t.startsWith(HOST))))].sort(compareTaskIds);
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [i, task] of tasks.entries()) {
    const target = ids[i % ids.length]!;
    const current = owner.get(task);
    if (current === undefined || current === target) out.get(target)!.push(task);
  }
  // Every member learns which server runs which task (the members that named one).
  const hosts: Assignment = {};
  for (const m of members) {
    const server = m.topics.find((t) => t.startsWith(HOST));
    if (server === undefined) continue;
    for (const [sub, partitions] of Object.entries(toAssignment(out.get(m.memberId)!)))
      (hosts[`${server}${HOST}${sub}`] ??= []).push(...partitions);
  }
  return new Map([...out].map(([id, t]) => [id, { ...toAssignment(t), ...hosts }]));
}

/** The tasks each named server runs, from an assignment's `@<host:port>@<subtopology>` entries. */
function hostsOf(assignment: Assignment): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const [entry, partitions] of Object.entries(assignment)) {
    if (!entry.startsWith(HOST)) continue;
    const at = entry.lastIndexOf(HOST);
    const server = entry.slice(HOST.length, at);
    const tasks = hosts.get(server) ?? [];
    for (const p of partitions) tasks.push(`${entry.slice(at + 1)}_${p}`);
    hosts.set(server, tasks);
  }
  for (const tasks of hosts.values()) tasks.sort(compareTaskIds);
  return hosts;
}

/** Tasks as the group protocol carries them: sub-topology id → partitions. */
function toAssignment(tasks: string[]): Assignment {
  const out: Assignment = {};
  for (const task of tasks) {
    const [sub, partition] = splitTask(task);
    (out[sub] ??= []).push(partition);
  }
  return out;
}

function fromAssignment(assignment: Assignment): string[] {
  return Object.entries(assignment)
    .filter(([sub]) => !sub.startsWith(HOST))
    .flatMap(([sub, partitions]) => partitions.map((p) => `${sub}_${p}`))
    .sort(compareTaskIds);
}

function toTopicPartitions(tasks: string[]): TopicPartitions[] {
  return Object.entries(toAssignment(tasks)).map(([topic, partitions]) => ({ topic, partitions }));
}

function fromTopicPartitions(owned: readonly TopicPartitions[]): string[] {
  return owned.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}_${p}`));
}

function splitTask(task: string): [string, number] {
  const at = task.lastIndexOf('_');
  return [task.slice(0, at), Number(task.slice(at + 1))];
}
