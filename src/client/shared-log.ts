/**
 * The logs the Tributaries of this process have open, shared by data directory: two
 * `new Tributary({ dataDir })` on the same directory (two modules of one program, each with its own
 * client, as kafkajs programs often do) use one open log and one group coordinator, instead of the
 * second failing with `DATA_DIR_LOCKED`. An entry is keyed by the directory's real path (so
 * `./data` and `/abs/path/data` and a symlink to it are one), counts the Tributaries using it, and
 * closes the log when the last one lets go.
 *
 * A log handed in with `new Tributary({ log })` is never closed here, but the Tributaries given
 * the same log object still share one coordinator, so their groups and committed offsets are one.
 *
 * @example
 * const shared = await acquireSharedLog('./data', () => openLog({ dataDir: './data' }));
 * const coordinator = await shared.coordinator(clock, logger);
 * await releaseSharedLog(shared);
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Clock } from '../clock.ts';
import type { LogBackend } from '../log/index.ts';
import type { GroupCoordinator } from '../cluster/group-coordinator.ts';
import { acquireCoordinator, releaseCoordinator } from '../cluster/shared-group-coordinator.ts';
import type { Logger } from './logger.ts';

/** One open log and its group coordinator, with the count of Tributaries that use it. */
export interface SharedLog {
  readonly log: LogBackend;
  /** The coordinator of every group on this log, made on first use. */
  coordinator(clock: Clock, logger: Logger): Promise<GroupCoordinator>;
}

interface Entry extends SharedLog {
  key: string | undefined;
  users: number;
  /** Whether the registry opened the log (and so closes it). */
  owned: boolean;
  close(): Promise<void>;
}

/** Open (or opening) logs by the real path of their directory. */
const byDirectory = new Map<string, Promise<Entry>>();
/** Logs being closed, by directory: an open of the same directory waits for the close first. */
const closing = new Map<string, Promise<void>>();
/** Coordinators of logs handed in by the user. */
const byLog = new WeakMap<LogBackend, Entry>();

function entryFor(log: LogBackend, key: string | undefined, owned: boolean): Entry {
  let coordinator: Promise<GroupCoordinator> | undefined;
  let made: GroupCoordinator | undefined;
  return {
    log,
    key,
    users: 0,
    owned,
    coordinator(clock, logger) {
      // The per-log registry of group/shared.ts, so that a broker serving this log (trib serve in
      // this process) and these Tributaries share one coordinator and one set of groups.
      coordinator ??= acquireCoordinator(log, clock, logger).then((c) => {
        made = c;
        return c;
      });
      const ready = coordinator;
      // A coordinator that could not be made (the log closed meanwhile) is tried again next time.
      ready.catch(() => {
        if (coordinator === ready) coordinator = undefined;
      });
      return ready;
    },
    async close() {
      if (made !== undefined) releaseCoordinator(log);
      made = undefined;
      coordinator = undefined;
      if (owned) await log.close();
    },
  };
}

/**
 * The directory's canonical name: created if missing (LevelDB would create it anyway), then
 * resolved through symlinks, so every spelling of one directory is one key.
 */
export function directoryKey(dataDir: string): string {
  const absolute = resolve(dataDir);
  mkdirSync(absolute, { recursive: true });
  return realpathSync(absolute);
}

/** Takes a use of the log of `dataDir`, opening it with `open` when no Tributary of this process has. */
export async function acquireSharedLog(dataDir: string, open: () => Promise<LogBackend>): Promise<SharedLog> {
  const key = directoryKey(dataDir);
  for (;;) {
    const pending = closing.get(key);
    if (pending !== undefined) {
      await pending.catch(() => undefined);
      continue;
    }
    let opening = byDirectory.get(key);
    if (opening === undefined) {
      opening = open().then((log) => entryFor(log, key, true));
      byDirectory.set(key, opening);
      opening.catch(() => {
        if (byDirectory.get(key) === opening) byDirectory.delete(key);
      });
    }
    const entry = await opening;
    // It may have been let go while this caller waited for it to open.
    if (byDirectory.get(key) !== opening) continue;
    entry.users++;
    return entry;
  }
}

/** A use of a log the user opened: never closed here; Tributaries given the same log share its coordinator. */
export function adoptLog(log: LogBackend): SharedLog {
  let entry = byLog.get(log);
  if (entry === undefined) byLog.set(log, (entry = entryFor(log, undefined, false)));
  entry.users++;
  return entry;
}

/** A log only its one Tributary uses (`storage: 'memory'`): closed by {@link releaseSharedLog}. */
export function privateLog(log: LogBackend): SharedLog {
  const entry = entryFor(log, undefined, true);
  entry.users++;
  return entry;
}

/** Gives a use back; the last use of a log the registry opened closes it (and its coordinator). */
export async function releaseSharedLog(shared: SharedLog): Promise<void> {
  const entry = shared as Entry;
  if (entry.users <= 0) return;
  entry.users--;
  if (entry.users > 0) return;
  if (!entry.owned) {
    // A user's log: its coordinator goes, the log stays open.
    byLog.delete(entry.log);
    await entry.close();
    return;
  }
  const key = entry.key;
  if (key === undefined) {
    await entry.close();
    return;
  }
  byDirectory.delete(key);
  const done = entry.close();
  closing.set(key, done);
  try {
    await done;
  } finally {
    if (closing.get(key) === done) closing.delete(key);
  }
}
