import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TributaryError } from '../../errors.ts';
import { describeStorageFailure } from './failure.ts';

/** Tributary's own lock file, beside LevelDB's `LOCK`: it names the process that holds the directory. */
export const LOCK_FILE = 'tributary.lock';

/**
 * Beside the lock file while `trib serve` holds the directory: `{"pid":N,"address":"host:port"}`,
 * so a second open can say where the broker listens (connect to it instead). Trusted only while its
 * pid is the lock file's: one left by a killed broker names nobody.
 */
export const BROKER_FILE = 'tributary.broker';

/**
 * Data directories open in this process, by real path. Why a registry of our own: LevelDB answers a
 * second open in the same process with "lock held by this process", and on the way out closes its
 * lock file, and with it every POSIX lock the process held on that file: from then on a second
 * process may open the directory too, and both write. So a second open in the process is refused
 * here, before LevelDB sees it.
 */
const openHere = new Map<string, DataDirLock>();

/** A data directory held by this process; {@link DataDirLock.release} gives it back. */
export interface DataDirLock {
  /** The directory as given, for messages. */
  readonly dataDir: string;
  /** True when the directory held nothing (or did not exist): the only case LevelDB may create a database. */
  readonly fresh: boolean;
  release(): void;
}

/**
 * Makes sure `dataDir` exists, tells whether it is fresh, and takes the process's and Tributary's
 * lock on it. Throws `DATA_DIR_LOCKED` when this process or another holds it, `STORAGE_ERROR` when
 * it cannot be made or read, or when it holds files but no LevelDB database (a lost `CURRENT`):
 * such a directory is never opened as an empty log.
 *
 * @example
 * const lock = acquireDataDir('./.tributary');
 * try { ... } finally { lock.release(); }
 */
export function acquireDataDir(dataDir: string): DataDirLock {
  const absolute = resolve(dataDir);
  try {
    makeDirectory(absolute, 0);
  } catch (cause) {
    throw new TributaryError(
      'STORAGE_ERROR',
      `Could not create the data directory ${dataDir}: ${describeStorageFailure(cause)}`,
      {
        cause,
        dataDir,
      },
    );
  }
  let real: string;
  let entries: string[];
  try {
    real = realpathSync(absolute);
    if (!statSync(real).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    entries = readdirSync(real);
  } catch (cause) {
    throw new TributaryError(
      'STORAGE_ERROR',
      `Could not read the data directory ${dataDir}: ${describeStorageFailure(cause)}`,
      {
        cause,
        dataDir,
      },
    );
  }
  if (openHere.has(real)) {
    throw new TributaryError(
      'DATA_DIR_LOCKED',
      `The data directory ${dataDir} is already open in this process (pid ${process.pid}); share the open log instead of opening it again`,
      { dataDir, pid: process.pid },
    );
  }
  const others = entries.filter((name) => name !== LOCK_FILE && name !== BROKER_FILE);
  const fresh = others.length === 0;
  if (!fresh && !others.includes('CURRENT')) {
    throw new TributaryError(
      'STORAGE_ERROR',
      `The data directory ${dataDir} holds files (${others.slice(0, 6).join(', ')}${others.length > 6 ? ', …' : ''}) but no LevelDB CURRENT file: ` +
        'its database cannot be found, and it is not opened as an empty log. Run "trib doctor" on it (see docs/log.md)',
      { dataDir, missing: 'CURRENT' },
    );
  }
  takeLockFile(real, dataDir);
  let released = false;
  const lock: DataDirLock = {
    dataDir,
    fresh,
    release() {
      if (released) return;
      released = true;
      openHere.delete(real);
      releaseLockFile(real);
    },
  };
  openHere.set(real, lock);
  return lock;
}

/**
 * `mkdir -p`, bounded. Node's recursive mkdir never returns on a path such as `/proc/x`, where
 * mkdir answers ENOENT although the parent exists: it retries the parent forever.
 */
function makeDirectory(path: string, depth: number): void {
  try {
    mkdirSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path || depth > 256) throw err;
    makeDirectory(parent, depth + 1);
    // Once more, and only once: ENOENT now means the file system will not have it here.
    try {
      mkdirSync(path);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
    }
  }
}

/** The pid written in a lock file, or undefined when there is none or it does not parse. */
export function lockHolder(dir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dir, LOCK_FILE), 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes this process's pid into the lock file. A file left by a process that is gone (a `kill -9`)
 * is taken over; one naming a live process refuses the open. LevelDB's own lock still guards the
 * directory between processes: this one adds the pid to the message and survives LevelDB's
 * in-process lock loss.
 */
function takeLockFile(dir: string, dataDir: string): void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new TributaryError(
          'STORAGE_ERROR',
          `Could not write the lock file ${path}: ${describeStorageFailure(err)}`,
          {
            cause: err,
            dataDir,
          },
        );
      }
      const pid = lockHolder(dir);
      if (pid !== undefined && (pid === process.pid || alive(pid))) throw lockedBy(dir, dataDir, pid);
      // Left behind by a process that is gone (with its broker file, if it was a broker).
      try {
        unlinkSync(path);
      } catch {}
      try {
        unlinkSync(join(dir, BROKER_FILE));
      } catch {}
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return;
  }
  throw new TributaryError('DATA_DIR_LOCKED', `The data directory ${dataDir} is being opened by another process`, {
    dataDir,
  });
}

function releaseLockFile(dir: string): void {
  if (lockHolder(dir) !== process.pid) return;
  try {
    unlinkSync(join(dir, BROKER_FILE));
  } catch {}
  try {
    unlinkSync(join(dir, LOCK_FILE));
  } catch {}
}

/**
 * The `DATA_DIR_LOCKED` error for a directory held by live process `pid`: it names the broker's
 * address when the holder is `trib serve`, so the user can connect to it instead of opening it.
 */
export function lockedBy(dir: string, dataDir: string, pid: number): TributaryError {
  const { address, registryUrl } = brokerRecord(dir, pid) ?? {};
  if (address === undefined && registryUrl !== undefined) {
    return new TributaryError(
      'DATA_DIR_LOCKED',
      `The data directory ${dataDir} is owned by trib registry serve (pid ${pid}) at ${registryUrl}; ` +
        'reach its schema registry there or stop it first',
      { dataDir, pid, registryUrl },
    );
  }
  if (address !== undefined) {
    return new TributaryError(
      'DATA_DIR_LOCKED',
      `The data directory ${dataDir} is owned by trib serve (pid ${pid}) at ${address}; ` +
        'connect to it as a Kafka client (brokers: ["' +
        address +
        '"]) or stop it first',
      { dataDir, pid, address },
    );
  }
  return new TributaryError(
    'DATA_DIR_LOCKED',
    `The data directory ${dataDir} is in use by process ${pid}; only one process may open it at a time`,
    {
      dataDir,
      pid,
    },
  );
}

/** What the broker file says about the live process that holds a directory. */
export interface DataDirOwner {
  /** The process that holds the directory's lock file. */
  pid: number;
  /** The Kafka address of its broker (`host:port`), when it is `trib serve`. */
  address?: string;
  /** The URL of the schema registry it serves, when it serves one. */
  registryUrl?: string;
}

/** The broker file's record when it names `pid`, else undefined. */
function brokerRecord(dir: string, pid: number): Omit<DataDirOwner, 'pid'> | undefined {
  try {
    const recorded = JSON.parse(readFileSync(join(dir, BROKER_FILE), 'utf8')) as {
      pid?: unknown;
      address?: unknown;
      registryUrl?: unknown;
    };
    if (recorded.pid !== pid) return undefined;
    return {
      ...(typeof recorded.address === 'string' ? { address: recorded.address } : {}),
      ...(typeof recorded.registryUrl === 'string' ? { registryUrl: recorded.registryUrl } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The address in the broker file when it names `pid`, else undefined. */
export function brokerAddress(dir: string, pid: number): string | undefined {
  return brokerRecord(dir, pid)?.address;
}

/**
 * The live process of another program that holds `dataDir`, with the services it recorded (a
 * broker's address, a registry's URL), or undefined when nobody else holds it. What a client that
 * may not open the directory uses to reach its owner instead (`trib … --data-dir` while `trib serve`
 * runs on it).
 *
 * @example
 * const owner = dataDirOwner('./.tributary');
 * if (owner?.address !== undefined) new Tributary({ brokers: [owner.address] });
 */
export function dataDirOwner(dataDir: string): DataDirOwner | undefined {
  let dir: string;
  try {
    dir = realpathSync(resolve(dataDir));
  } catch {
    return undefined;
  }
  const pid = lockHolder(dir);
  if (pid === undefined || pid === process.pid || !alive(pid)) return undefined;
  return { pid, ...brokerRecord(dir, pid) };
}

/**
 * Records that this process serves `dataDir` as a broker at `address` (`host:port`), and the URL
 * of its schema registry if it serves one; the record goes when the directory is released, or with
 * {@link forgetBroker}. Does nothing unless this process holds the directory's lock file. Why a
 * file of its own: the lock file's one line (a pid) is what older readers parse.
 *
 * @example
 * recordBroker('./.tributary', '127.0.0.1:9092');
 */
export function recordBroker(dataDir: string, address: string | undefined, registryUrl?: string): void {
  const dir = realpathSync(resolve(dataDir));
  if (lockHolder(dir) !== process.pid) return;
  writeFileSync(join(dir, BROKER_FILE), `${JSON.stringify({ pid: process.pid, address, registryUrl })}\n`);
}

/** Removes this process's broker record of `dataDir`, if any (the broker stopped, the log stays open). */
export function forgetBroker(dataDir: string): void {
  let dir: string;
  try {
    dir = realpathSync(resolve(dataDir));
  } catch {
    return;
  }
  if (brokerRecord(dir, process.pid) === undefined) return;
  try {
    unlinkSync(join(dir, BROKER_FILE));
  } catch {}
}
