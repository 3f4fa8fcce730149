/**
 * Where a `trib` command finds its log: the data directory of `--data-dir`, `$TRIBUTARY_DATA_DIR` or
 * `./.tributary`, checked before LevelDB is asked to open it. (Brokers, named or found owning the
 * directory, are cluster.ts's.)
 *
 * Why check first: LevelDB creates a missing directory without a word (a typo in `--data-dir`
 * used to give an empty log that answered "no topics"), and on some paths (`/proc/x`) it retries
 * for as long as it is let. Every failure here, and every TributaryError of the task run on the log,
 * names the directory, so the user sees which log answered.
 */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { TributaryError } from '../errors.ts';
import type { CliIo } from './command.ts';

/** The options of every command that opens the log. */
export const logOptions = {
  'data-dir': { type: 'string' },
  'bootstrap-server': { type: 'string', short: 'b' },
  create: { type: 'boolean' },
} as const;

export const LOG_OPTIONS_HELP = [
  '  --data-dir DIR        the log directory (default: $TRIBUTARY_DATA_DIR or ./.tributary);',
  '                        one that a running trib serve owns is reached through that broker',
  '  --create              start a new log in DIR when it holds none (default: refuse)',
  '  -b, --bootstrap-server HOST:PORT[,HOST:PORT...]',
  '                        work on these Kafka brokers instead of a data directory (trib serve,',
  '                        Apache Kafka, Redpanda); default $TRIB_BOOTSTRAP_SERVER when no',
  '                        --data-dir is given',
].join('\n');

/** The same for the commands that need the directory itself, and refuse brokers. */
export const DIRECTORY_OPTIONS_HELP = [
  '  --data-dir DIR        the log directory (default: $TRIBUTARY_DATA_DIR or ./.tributary)',
  '  --create              start a new log in DIR when it holds none (default: refuse)',
].join('\n');

/** What {@link logOptions} parse to. */
export interface LogOptionValues {
  'data-dir'?: string | undefined;
  'bootstrap-server'?: string | undefined;
  create?: boolean | undefined;
}

/** The absolute data directory the options and environment name. */
export function dataDirOf(values: LogOptionValues, io: CliIo): string {
  return resolve(values['data-dir'] ?? io.env.TRIBUTARY_DATA_DIR ?? './.tributary');
}

/** Checks the data directory and creates it when `create` allows; resolves to its absolute path. */
export async function checkDataDir(values: LogOptionValues, io: CliIo, create: boolean): Promise<string> {
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
