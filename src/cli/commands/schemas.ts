import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  type CompatibilityLevel,
  type CompatibilityResult,
  parseVersionSelector,
  REST_ERRORS,
  RegistryClient,
  SchemaRegistry,
  type SchemaInput,
  type SchemaReference,
  type SchemaType,
  type SubjectVersion,
  type VersionSelector,
} from '../../../schema-registry/index.ts';
import { openLog, TributaryError } from '../../index.ts';
import { type CliIo, commandGroup, pairs, parse, UsageError, write } from '../command.ts';
import { resolveTarget } from '../cluster.ts';
import { inDataDir, LOG_OPTIONS_HELP, type LogOptionValues, logOptions } from '../data-dir.ts';

const URL_HELP = [
  "  --url URL             a running registry (trib serve's, trib registry serve, or Confluent's)",
  '                        instead of the data dir; the registry of a trib serve that owns the',
  '                        data dir is found without it',
].join('\n');

const USAGE = `Usage: trib schemas <command> [options]

Commands:
  register SUBJECT --file F [--type T] [--reference name=subject:version]...   register a schema
  list [--deleted]                                      list subjects
  get SUBJECT [--version N|latest]                      show one version (default latest) as JSON
  check SUBJECT --file F [--type T] [--version N]       test compatibility; exit 1 when incompatible
  delete SUBJECT [--version N] [--permanent]            soft-delete (or, after that, hard-delete)
  config [SUBJECT] [--set LEVEL]                        show or set the compatibility level

Options:
${URL_HELP}
${LOG_OPTIONS_HELP}
  -h, --help            show help
`;

const TYPE_HELP = '  --type T              AVRO, PROTOBUF or JSON (default: PROTOBUF for a .proto file, else AVRO)';

function help(line: string, ...options: string[]): string {
  return `Usage: trib schemas ${line}\n\nOptions:\n${[...options, URL_HELP, LOG_OPTIONS_HELP].join('\n')}\n  -h, --help            show help\n`;
}

const urlOption = { url: { type: 'string' }, ...logOptions } as const;
const schemaOptions = { file: { type: 'string', short: 'f' }, type: { type: 'string', short: 't' } } as const;

/** What the sub-commands ask of a registry, in this process or over HTTP. */
interface Registry {
  register(subject: string, input: SchemaInput): Promise<{ id: number; version: number; created: boolean | undefined }>;
  subjects(deleted: boolean): Promise<string[]>;
  get(subject: string, version: VersionSelector): Promise<SubjectVersion>;
  check(subject: string, input: SchemaInput, version: VersionSelector | undefined): Promise<CompatibilityResult>;
  delete(subject: string, version: VersionSelector | undefined, permanent: boolean): Promise<number[]>;
  config(subject: string | null): Promise<CompatibilityLevel>;
  setConfig(subject: string | null, level: string): Promise<CompatibilityLevel>;
}

function local(registry: SchemaRegistry): Registry {
  return {
    register: (subject, input) => registry.register(subject, input),
    subjects: async (deleted) => registry.subjects({ deleted }),
    get: async (subject, version) => registry.getVersion(subject, version),
    check: async (subject, input, version) => registry.testCompatibility(subject, input, version),
    delete: async (subject, version, permanent) =>
      version === undefined
        ? registry.deleteSubject(subject, { permanent })
        : [await registry.deleteVersion(subject, version, { permanent })],
    config: async (subject) => registry.getCompatibility(subject, { defaultToGlobal: true }),
    setConfig: (subject, level) => registry.setCompatibility(subject, level),
  };
}

function remote(client: RegistryClient): Registry {
  const s = (subject: string) => `/subjects/${encodeURIComponent(subject)}`;
  const v = (version: VersionSelector) => `/versions/${version}`;
  const c = (subject: string | null) => (subject === null ? '/config' : `/config/${encodeURIComponent(subject)}`);
  return {
    async register(subject, input) {
      const { id } = (await client.request('POST', `${s(subject)}/versions`, input)) as { id: number };
      // Confluent answers only the id; the lookup finds the version it landed as.
      const { version } = await client.lookup(subject, input);
      return { id, version, created: undefined };
    },
    subjects: async (deleted) =>
      (await client.request('GET', `/subjects${deleted ? '?deleted=true' : ''}`)) as string[],
    get: (subject, version) => client.subjectVersion(subject, version),
    async check(subject, input, version) {
      const path = `/compatibility${s(subject)}/versions${version === undefined ? '' : `/${version}`}?verbose=true`;
      const body = (await client.request('POST', path, input)) as { is_compatible: boolean; messages?: string[] };
      return { isCompatible: body.is_compatible, messages: body.messages ?? [] };
    },
    async delete(subject, version, permanent) {
      const query = permanent ? '?permanent=true' : '';
      const answer = await client.request('DELETE', `${s(subject)}${version === undefined ? '' : v(version)}${query}`);
      return Array.isArray(answer) ? (answer as number[]) : [answer as number];
    },
    async config(subject) {
      const body = (await client.request('GET', `${c(subject)}${subject === null ? '' : '?defaultToGlobal=true'}`)) as {
        compatibilityLevel: CompatibilityLevel;
      };
      return body.compatibilityLevel;
    },
    async setConfig(subject, level) {
      const body = (await client.request('PUT', c(subject), { compatibility: level })) as {
        compatibility: CompatibilityLevel;
      };
      return body.compatibility;
    },
  };
}

/**
 * Runs `task` on the registry of `--url`, or on the one kept in the data directory's log. A registry
 * error gets Confluent's numeric `error_code` added to its message, the number users of Confluent know.
 */
async function withRegistry<T>(
  values: RegistryValues,
  io: CliIo,
  task: (registry: Registry) => Promise<T>,
  create = false,
): Promise<T> {
  try {
    return await onRegistry(values, io, task, create);
  } catch (err) {
    const rest = err instanceof TributaryError ? REST_ERRORS[err.code] : undefined;
    if (rest === undefined || !(err instanceof TributaryError)) throw err;
    throw new TributaryError(err.code, `${err.message.split('\n')[0]} (error_code ${rest.errorCode})`, {
      ...err.context,
      cause: err,
    });
  }
}

type RegistryValues = LogOptionValues & { url?: string | undefined };

async function onRegistry<T>(
  values: RegistryValues,
  io: CliIo,
  task: (registry: Registry) => Promise<T>,
  create: boolean,
): Promise<T> {
  if (values.url !== undefined) {
    if (values['data-dir'] !== undefined) throw new UsageError('give --url or --data-dir, not both');
    if (values['bootstrap-server'] !== undefined) throw new UsageError('give --url or --bootstrap-server, not both');
    return task(remote(new RegistryClient({ url: checkedUrl(values.url) })));
  }
  // Registering is the one schemas command that may start a log, as topics create may (docs/decisions.md).
  const target = await resolveTarget(values, io, create || values.create === true);
  // The registry of the process that owns the directory (trib serve, trib registry serve).
  if (target.registryUrl !== undefined) return task(remote(new RegistryClient({ url: target.registryUrl })));
  if (target.kind === 'wire')
    throw new UsageError(
      target.dataDir === undefined
        ? 'trib schemas works on a registry, not on Kafka brokers: give --url URL of the registry'
        : `trib serve owns ${target.dataDir} but serves no schema registry (--no-registry): give --url URL of a registry`,
    );
  const dataDir = target.dataDir;
  const log = await openLog({ dataDir, maintenanceIntervalMs: 0 }).catch((err) => {
    throw inDataDir(err, dataDir);
  });
  try {
    const registry = await SchemaRegistry.open(log);
    try {
      return await task(local(registry));
    } finally {
      await registry.close();
    }
  } catch (err) {
    throw inDataDir(err, dataDir);
  } finally {
    await log.close();
  }
}

function checkedUrl(url: string): string {
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must be an http:// or https:// URL, got "${url}"`);
  return url;
}

function oneSubject(positionals: string[], command: string): string {
  if (positionals.length !== 1)
    throw new UsageError(`trib schemas ${command} takes one SUBJECT, got ${positionals.length}`);
  return positionals[0]!;
}

function version(raw: string | undefined): VersionSelector | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseVersionSelector(raw);
  } catch {
    throw new UsageError(`--version takes a positive integer or "latest", got "${raw}"`);
  }
}

const TYPES: Record<string, SchemaType> = { AVRO: 'AVRO', PROTOBUF: 'PROTOBUF', PROTO: 'PROTOBUF', JSON: 'JSON' };

async function schemaInput(
  values: { file?: string | undefined; type?: string | undefined },
  references: SchemaReference[] = [],
): Promise<SchemaInput> {
  if (values.file === undefined) throw new UsageError('--file is required');
  let schemaType: SchemaType;
  if (values.type === undefined) {
    schemaType = extname(values.file).toLowerCase() === '.proto' ? 'PROTOBUF' : 'AVRO';
  } else {
    const found = TYPES[values.type.toUpperCase()];
    if (found === undefined) throw new UsageError(`--type must be AVRO, PROTOBUF or JSON, got "${values.type}"`);
    schemaType = found;
  }
  let schema: string;
  try {
    // Trailing newlines of a file are no part of the schema, and would break compatibility messages over lines.
    schema = (await readFile(values.file, 'utf8')).trimEnd();
  } catch (err) {
    throw new UsageError(
      `cannot read --file ${values.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const input: SchemaInput = { schema, schemaType };
  if (references.length > 0) input.references = references;
  return input;
}

/** `--reference name=subject:version`: the subject may itself contain colons, the version is after the last one. */
function parseReferences(raw: string[] | undefined): SchemaReference[] {
  return pairs(raw, '--reference').map(([name, target]) => {
    const at = target.lastIndexOf(':');
    const n = at > 0 ? Number(target.slice(at + 1)) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1)
      throw new UsageError(`--reference takes name=subject:version, got "${name}=${target}"`);
    return { name, subject: target.slice(0, at), version: n };
  });
}

const subcommands = {
  async register(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      ...urlOption,
      ...schemaOptions,
      reference: { type: 'string', short: 'r', multiple: true },
    });
    if (values.help) {
      const line = 'register SUBJECT --file F [--type T] [--reference name=subject:version]...';
      const refs = '  --reference R         name=subject:version of a schema this one imports or names (repeatable)';
      return write(io.stdout, help(line, '  --file F              the schema text', TYPE_HELP, refs)).then(() => 0);
    }
    const subject = oneSubject(positionals, 'register');
    const input = await schemaInput(values, parseReferences(values.reference));
    const { id, version, created } = await withRegistry(values, io, (r) => r.register(subject, input), true);
    const verb = created === false ? 'Already registered' : 'Registered';
    await write(io.stdout, `${verb} ${subject} version ${version} (id ${id})\n`);
    return 0;
  },

  async list(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { ...urlOption, deleted: { type: 'boolean' } });
    if (values.help)
      return write(io.stdout, help('list [--deleted]', '  --deleted             include soft-deleted subjects')).then(
        () => 0,
      );
    if (positionals.length > 0) throw new UsageError('trib schemas list takes no arguments');
    const subjects = await withRegistry(values, io, (r) => r.subjects(values.deleted === true));
    await write(io.stdout, subjects.map((s) => `${s}\n`).join(''));
    return 0;
  },

  async get(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { ...urlOption, version: { type: 'string', short: 'v' } });
    if (values.help)
      return write(
        io.stdout,
        help('get SUBJECT [--version N|latest]', '  --version V           a version number or latest (default)'),
      ).then(() => 0);
    const subject = oneSubject(positionals, 'get');
    const selector = version(values.version) ?? 'latest';
    const found = await withRegistry(values, io, (r) => r.get(subject, selector));
    const { subject: name, version: number, id, schemaType, schema, references } = found;
    await write(
      io.stdout,
      `${JSON.stringify({ subject: name, version: number, id, schemaType, schema, references }, null, 2)}\n`,
    );
    return 0;
  },

  async check(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      ...urlOption,
      ...schemaOptions,
      version: { type: 'string', short: 'v' },
      reference: { type: 'string', short: 'r', multiple: true },
    });
    if (values.help) {
      const line = 'check SUBJECT --file F [--type T] [--version N|latest]';
      const ver = '  --version V           check against this version only (default: as the level says)';
      return write(io.stdout, help(line, '  --file F              the schema text', TYPE_HELP, ver)).then(() => 0);
    }
    const subject = oneSubject(positionals, 'check');
    const input = await schemaInput(values, parseReferences(values.reference));
    const selector = version(values.version);
    const result = await withRegistry(values, io, (r) => r.check(subject, input, selector));
    const lines = [result.isCompatible ? 'Compatible' : 'Incompatible', ...result.messages.map((m) => `  ${m}`)];
    await write(io.stdout, `${lines.join('\n')}\n`);
    return result.isCompatible ? 0 : 1;
  },

  async delete(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      ...urlOption,
      version: { type: 'string', short: 'v' },
      permanent: { type: 'boolean' },
    });
    if (values.help) {
      const ver = '  --version V           delete one version (default: the whole subject)';
      const permanent = '  --permanent           hard-delete what was soft-deleted before';
      return write(io.stdout, help('delete SUBJECT [--version N|latest] [--permanent]', ver, permanent)).then(() => 0);
    }
    const subject = oneSubject(positionals, 'delete');
    const selector = version(values.version);
    const permanent = values.permanent === true;
    const deleted = await withRegistry(values, io, (r) => r.delete(subject, selector, permanent));
    await write(
      io.stdout,
      `${permanent ? 'Permanently deleted' : 'Deleted'} ${subject} version(s) ${deleted.join(', ')}\n`,
    );
    return 0;
  },

  async config(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { ...urlOption, set: { type: 'string' } });
    if (values.help) {
      const set = '  --set LEVEL           NONE, BACKWARD, FORWARD, FULL or one of their _TRANSITIVE forms';
      return write(io.stdout, help('config [SUBJECT] [--set LEVEL]', set)).then(() => 0);
    }
    if (positionals.length > 1)
      throw new UsageError(`trib schemas config takes at most one SUBJECT, got ${positionals.length}`);
    const subject = positionals[0] ?? null;
    const level = await withRegistry(values, io, (r) =>
      values.set === undefined ? r.config(subject) : r.setConfig(subject, values.set.toUpperCase()),
    );
    await write(io.stdout, `${level}\n`);
    return 0;
  },
};

export const schemasCommand = commandGroup(
  'schemas',
  'register, list, get, check, delete and configure schemas',
  USAGE,
  subcommands,
);
