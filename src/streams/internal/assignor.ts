/**
 * Who runs which task: the instances of an app share its tasks through an in-process group
 * (below), or through the consumer-group coordinator (`coordinator-task-group.ts`).
 */
import type { LogBackend } from '../../log/index.ts';

/** A member of a task group: an instance of the app. */
export interface TaskGroupMember {
  readonly memberId: string;
  /** Where interactive queries reach this instance (Kafka's `application.server`, `host:port`), if set. */
  readonly applicationServer?: string;
  /** Stop running these tasks: commit them and close them. Resolves once done. */
  revoke(tasks: string[]): Promise<void>;
  /**
   * From now on, run exactly these tasks (restoring any that are new). `hosts`: the tasks each
   * member that named an application server runs in this assignment, by that server (Kafka's
   * `partitionsByHost`), for the app's interactive-query metadata.
   */
  assign(tasks: string[], hosts: ReadonlyMap<string, readonly string[]>): void;
  /**
   * The instance is out of the group (its session expired) and its tasks may run elsewhere already:
   * close them without committing, dropping uncommitted work.
   */
  lose(): Promise<void>;
}

/** Hands an app's tasks out to its instances. */
export interface TaskAssignor {
  /** Adds a member (an instance of the app) with the tasks it can run; the tasks are spread again. */
  join(member: TaskGroupMember, tasks: string[]): Promise<void>;
  /** Removes a member; its tasks go to the others. */
  leave(memberId: string): Promise<void>;
  /**
   * True when the member holds tasks but is no longer in the group: a commit now could duplicate
   * the work of the tasks' new owner, so it must not be written.
   */
  fenced?(memberId: string): boolean;
}

/**
 * The in-process group of one app on one log: tasks are dealt round-robin over the members sorted
 * by id, and on every join or leave the moved tasks are first revoked (committed and closed) from
 * every member before anyone is assigned anything, so a task never runs in two places.
 */
export class InProcessTaskGroup implements TaskAssignor {
  static readonly #groups = new WeakMap<LogBackend, Map<string, InProcessTaskGroup>>();
  readonly #members = new Map<string, TaskGroupMember>();
  readonly #owned = new Map<string, string[]>();
  #tasks: string[] = [];
  #chain: Promise<void> = Promise.resolve();

  /** The group of `applicationId` on `log`, shared by every instance in this process. */
  static for(log: LogBackend, applicationId: string): InProcessTaskGroup {
    let byApp = InProcessTaskGroup.#groups.get(log);
    if (byApp === undefined) InProcessTaskGroup.#groups.set(log, (byApp = new Map()));
    let group = byApp.get(applicationId);
    if (group === undefined) byApp.set(applicationId, (group = new InProcessTaskGroup()));
    return group;
  }

  join(member: TaskGroupMember, tasks: string[]): Promise<void> {
    return this.#serialize(async () => {
      this.#members.set(member.memberId, member);
      this.#tasks = [...new Set([...this.#tasks, ...tasks])].sort(compareTaskIds);
      await this.#rebalance();
    });
  }

  leave(memberId: string): Promise<void> {
    return this.#serialize(async () => {
      if (!this.#members.delete(memberId)) return;
      this.#owned.delete(memberId);
      await this.#rebalance();
    });
  }

  #serialize(fn: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(fn);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #rebalance(): Promise<void> {
    const ids = [...this.#members.keys()].sort();
    const target = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const [i, task] of this.#tasks.entries()) target.get(ids[i % ids.length]!)!.push(task);
    await Promise.all(
      ids.map((id) => {
        const keep = new Set(target.get(id));
        const revoked = (this.#owned.get(id) ?? []).filter((t) => !keep.has(t));
        return revoked.length > 0 ? this.#members.get(id)!.revoke(revoked) : Promise.resolve();
      }),
    );
    const hosts = new Map<string, string[]>();
    for (const id of ids) {
      const server = this.#members.get(id)!.applicationServer;
      if (server !== undefined) hosts.set(server, [...(hosts.get(server) ?? []), ...target.get(id)!]);
    }
    for (const id of ids) {
      this.#owned.set(id, target.get(id)!);
      this.#members.get(id)!.assign(target.get(id)!, hosts);
    }
  }
}

/** Task ids (`<subtopology>_<partition>`) by partition, then sub-topology. */
export function compareTaskIds(a: string, b: string): number {
  const [sa, pa] = a.split('_').map(Number) as [number, number];
  const [sb, pb] = b.split('_').map(Number) as [number, number];
  return pa - pb || sa - sb;
}
