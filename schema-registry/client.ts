/**
 * A small client of Confluent's REST API (this registry's or Confluent's own), for serdes in a
 * process that does not hold the registry. Errors come back as the {@link TributaryError} codes the
 * server's `error_code`s stand for.
 *
 * @example
 * const client = new RegistryClient({ url: 'http://127.0.0.1:8081' });
 * const serde = await avroSerde({ registry: client, schema: userSchema, topics: ['users'] });
 */
import { type ErrorCode, TributaryError } from '../src/index.ts';
import { REST_ERRORS } from './errors.ts';
import type {
  SchemaInput,
  SchemaReference,
  SchemaType,
  StoredSchema,
  SubjectVersion,
  VersionSelector,
} from './model.ts';
import type { SchemaSource } from './source.ts';

export interface RegistryClientOptions {
  /** The registry's base URL, e.g. `http://127.0.0.1:8081`. */
  url: string;
  /** Extra headers on every request (authentication…). */
  headers?: Record<string, string>;
}

const CODES_BY_ERROR_CODE = new Map<number, ErrorCode>(
  Object.entries(REST_ERRORS).map(([code, rest]) => [rest!.errorCode, code as ErrorCode]),
);

export class RegistryClient implements SchemaSource {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(options: RegistryClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.headers = {
      'content-type': 'application/vnd.schemaregistry.v1+json',
      accept: 'application/vnd.schemaregistry.v1+json',
      ...options.headers,
    };
  }

  async schemaById(id: number): Promise<StoredSchema> {
    const body = (await this.request('GET', `/schemas/ids/${id}`)) as Record<string, unknown>;
    return { id, ...schemaFields(body) };
  }

  async subjectVersion(subject: string, version: VersionSelector): Promise<SubjectVersion> {
    const body = (await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`)) as Record<
      string,
      unknown
    >;
    return versionFields(body);
  }

  async register(subject: string, input: SchemaInput): Promise<{ id: number }> {
    const body = (await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, input)) as {
      id: number;
    };
    return { id: body.id };
  }

  async lookup(subject: string, input: SchemaInput): Promise<SubjectVersion> {
    const body = (await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, input)) as Record<
      string,
      unknown
    >;
    return versionFields(body);
  }

  /** Any call of the API: the parsed JSON answer, or a TributaryError. */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: this.headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new TributaryError(
        'REGISTRY_STORE_ERROR',
        `Cannot reach the schema registry at ${this.base}: ${(err as Error).message}`,
        {
          cause: err,
          retriable: true,
        },
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (response.ok) return parsed;
    const errorCode = (parsed as { error_code?: unknown } | undefined)?.error_code;
    const message = (parsed as { message?: unknown } | undefined)?.message;
    const code = typeof errorCode === 'number' ? CODES_BY_ERROR_CODE.get(errorCode) : undefined;
    throw new TributaryError(
      code ?? 'REGISTRY_STORE_ERROR',
      typeof message === 'string' ? message : `HTTP ${response.status} from ${method} ${path}`,
      {
        status: response.status,
        errorCode,
        retriable: response.status >= 500,
      },
    );
  }
}

function schemaFields(body: Record<string, unknown>): Omit<StoredSchema, 'id'> {
  const type = body['schemaType'];
  return {
    schemaType: (typeof type === 'string' ? type : 'AVRO') as SchemaType,
    schema: String(body['schema']),
    references: Array.isArray(body['references']) ? (body['references'] as SchemaReference[]) : [],
  };
}

function versionFields(body: Record<string, unknown>): SubjectVersion {
  return {
    subject: String(body['subject']),
    version: Number(body['version']),
    id: Number(body['id']),
    ...schemaFields(body),
    deleted: false,
  };
}
