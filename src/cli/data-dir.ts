/**
 * Where a `trib` command finds its log: the data directory of `--data-dir`, `$TRIBUTARY_DATA_DIR` or
 * `./.tributary`, checked before LevelDB is asked to open it, or brokers named by
 * `--bootstrap-server` / `$TRIB_BOOTSTRAP_SERVER` (refused until the wire client exists).
 *
 * Why check first: LevelDB creates a missing directory without a word (a typo in `--data-dir`
 * used to give an empty log that answered "no topics"), and on some paths (`/proc/x`) it retries
 * for as long as it is let. Every failure here, and every TributaryError of the task run on the log,
 * names the directory, so the user sees which log answered.
 */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { acquireSharedLog, releaseSharedLog, type SharedLog } from '../client/shared-log.ts';
import { Tributary } from '../client/tributary.ts';
import { TributaryError } from '../errors.ts';
import { type EmbeddedLogBackend, openLog } from '../log/open.ts';
import type { CliIo } from './command.ts';
import { cliLogLevel } from './log-level.ts';

/** The options of every command that opens the log. */
export const logOptions = {
  'data-dir': { type: 'string' },
  'bootstrap-server': { type: 'string', short: 'b' },
  create: { type: 'boolean' },
} as const;

export const LOG_OPTIONS_HELP = [
  '  --data-dir DIR        the log directory (default: $TRIBUTARY_DATA_DIR or ./.tributary)',
  '  --create              start a new log in DIR when it holds none (default: refuse)',
  '  -b, --bootstrap-server HOST:PORT',
  '                        Kafka brokers (or $TRIB_BOOTSTRAP_SERVER); needs the wire client,',
  '                        not available yet',
].join('\n');

/** What {@link logOptions} parse to. */
export interface LogOptionValues {
  'data-dir'?: string | undefined;
  'bootstrap-server'?: string | undefined;
  create?: boolean | undefined;
}

/** The log a command works on, with its Tributary for the clients. */
export interface CliLog {
  readonly log: EmbeddedLogBackend;
  /** The absolute path of the data directory. */
  readonly dataDir: string;
  readonly tributary: Tributary;
}

/** The absolute data directory the options and environment name. */
export function dataDirOf(values: LogOptionValues, io: CliIo): string {
  return resolve(values['data-dir'] ?? io.env.TRIBUTARY_DATA_DIR ?? './.tributary');
}

/** Refuses `--bootstrap-server` with a typed error, rather than quietly opening a local directory. */
export function refuseBrokers(values: LogOptionValues, io: CliIo): void {
  const brokers = values['bootstrap-server'] ?? io.env.TRIB_BOOTSTRAP_SERVER;
  if (brokers === undefined || brokers === '') return;
  throw new TributaryError(
    'TRANSPORT_NOT_AVAILABLE',
    `Cannot reach ${brokers}: the Kafka wire client is not available in this version of trib yet; use --data-dir for a local log`,
    { brokers },
  );
}

/** Checks the data directory and creates it when `create` allows; resolves to its absolute path. */
export async function checkDataDir(values: LogOptionValues, io: CliIo, create: boolean): Promise<string> {
  refuseBrokers(values, io);
  const dataDir = dataDirOf(values, io);
  const invalid = (why: string, cause?: unknown) =>
    new TributaryError('DATA_DIR_INVALID', `Cannot use ${dataDir} as a data directory: ${why}`, { dataDir, cause });
  const found = await stat(dataDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw invalid(err.code === 'ENOTDIR' ? 'part of the path is a file' : err.message, err);
  });
  if (found !== undefined && !found.isDirectory()) throw invalid('it is a file');
  if (found !== undefined) {
    await access(dataDir, constants.R_OK | constants.W_OK | constants.X_OK).catch((err) => {
      throw invalid('it cannot be read and written by this user', err);
    });
  }
  const holdsLog =
    found !== undefined &&
    (await stat(join(dataDir, 'CURRENT')).then(
      (s) => s.isFile(),
      () => false,
    ));
  if (holdsLog) return dataDir;
  if (!create) {
    const what = found === undefined ? 'does not exist' : 'holds no Tributary data';
    throw new TributaryError(
      'DATA_DIR_NOT_FOUND',
      `The data directory ${dataDir} ${what}; pass --create to start a new log there`,
      { dataDir },
    );
  }
  await makeDirectory(dataDir).catch((err: NodeJS.ErrnoException) => {
    throw invalid(err.code === 'ENOTDIR' ? 'part of the path is a file' : err.message, err);
  });
  // Some paths accept mkdir and refuse files (read-only mounts, /proc): find out now, not in LevelDB.
  await access(dataDir, constants.W_OK).catch((err) => {
    throw invalid('it cannot be written by this user', err);
  });
  return dataDir;
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir loops for ever where mkdir answers ENOENT
 * under a directory that exists (/proc), which LevelDB's open hit the same way.
 */
async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    const exists = await stat(at).then(
      () => true,
      () => false,
    );
    if (exists || dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const dir of missing) {
    await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

/** Adds the data directory to a TributaryError's message, keeping its code. */
export function inDataDir(err: unknown, dataDir: string): unknown {
  if (!(err instanceof TributaryError) || err.message.includes(dataDir)) return err;
  const first = err.message.split('\n')[0];
  return new TributaryError(err.code, `${first} (data dir ${dataDir})`, {
    ...err.context,
    retriable: err.retriable,
    cause: err,
  });
}

/**
 * Opens the log of the options, runs `task` on it and closes it. `create` lets a missing or empty
 * directory become a new log (`--create` does the same for any command). TributaryErrors of the
 * task come out naming the data directory.
 *
 * @example
 * const topics = await withLog(values, io, {}, ({ log }) => log.listTopics());
 */
export async function withLog<T>(
  values: LogOptionValues,
  io: CliIo,
  options: { create?: boolean },
  task: (cli: CliLog) => Promise<T>,
): Promise<T> {
  const dataDir = await checkDataDir(values, io, options.create === true || values.create === true);
  // Through the process's registry of open logs: run inside a program that has the directory open
  // (`runCli` from a test or a tool), a command sees that program's log and its groups' members.
  let shared: SharedLog;
  try {
    shared = await acquireSharedLog(dataDir, () => openLog({ dataDir }));
  } catch (err) {
    throw inDataDir(err, dataDir);
  }
  // Every log of the registry is opened by openLog (here or by a Tributary given a dataDir).
  const log = shared.log as EmbeddedLogBackend;
  const tributary = new Tributary({ log, clientId: 'trib', logLevel: cliLogLevel(io.env) });
  try {
    return await task({ log, dataDir, tributary });
  } catch (err) {
    throw inDataDir(err, dataDir);
  } finally {
    await tributary.close();
    await releaseSharedLog(shared);
  }
}
