/**
 * The messages API: browse a partition (or all of them) from the beginning, the end, an offset or a
 * timestamp; search keys and values for a text; follow new records live (server-sent events); and
 * produce a record. Every read goes through the log, bounded in records and bytes per request, so a
 * large topic never loads whole: a page of results carries the positions to continue from.
 */
import type { ConsoleLog } from '../console-log.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LogRecord } from '../../log/backend.ts';
import { WaitInterrupt } from '../../log/wait-interrupt.ts';
import { FIELD_FORMATS, type FieldDecoder, type FieldFormat, type ShownField } from '../decode.ts';
import { ConsoleHttpError, intParam } from '../http-errors.ts';
import type { ConsoleContext } from './context.ts';
import { existingTopic } from './topics.ts';

/** A record as the page shows it. */
export interface ShownRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: ShownField;
  value: ShownField;
  headers: { key: string; value: ShownField }[];
}

/** Largest record the page may produce: 1 MiB, the topic's default max.message.bytes. */
const MAX_PRODUCE_BYTES = 1024 * 1024;
/** Bytes a search may scan per request before it answers with where to go on. */
const DEFAULT_SCAN_BYTES = 16 * 1024 * 1024;

function fieldFormat(value: string | undefined, name: string): FieldFormat {
  if (value === undefined || value === '') return 'auto';
  if (!(FIELD_FORMATS as readonly string[]).includes(value)) {
    throw new ConsoleHttpError(400, 'BAD_REQUEST', `${name} must be one of ${FIELD_FORMATS.join(', ')}; got ${value}`);
  }
  return value as FieldFormat;
}

async function show(
  decoder: FieldDecoder,
  topic: string,
  partition: number,
  record: LogRecord,
  keyFormat: FieldFormat,
  valueFormat: FieldFormat,
): Promise<ShownRecord> {
  const headers: ShownRecord['headers'] = [];
  for (const h of record.headers)
    headers.push({ key: h.key, value: await decoder.decode(topic, h.value, 'auto', false) });
  return {
    partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: await decoder.decode(topic, record.key, keyFormat, true),
    value: await decoder.decode(topic, record.value, valueFormat, false),
    headers,
  };
}

/** Where a browse starts in one partition, from the query's `from`. */
async function startOffset(
  log: ConsoleLog,
  topic: string,
  partition: number,
  query: Record<string, string | undefined>,
  perPartition: number,
): Promise<number> {
  const { logStartOffset, highWatermark } = log.offsets(topic, partition);
  const from = query.from ?? 'end';
  switch (from) {
    case 'beginning':
      return logStartOffset;
    case 'end':
      // The last records, so the page shows something at once.
      return Math.max(logStartOffset, highWatermark - perPartition);
    case 'offset': {
      const offset = intParam(query.offset, 'offset', logStartOffset, 0, Number.MAX_SAFE_INTEGER);
      if (offset > highWatermark) {
        throw new ConsoleHttpError(
          416,
          'OFFSET_OUT_OF_RANGE',
          `Offset ${offset} is past the end of ${topic}/${partition} (its next offset is ${highWatermark})`,
        );
      }
      return Math.max(offset, logStartOffset);
    }
    case 'timestamp': {
      const text = query.timestamp ?? '';
      const at = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
      if (!Number.isSafeInteger(at) || at < 0) {
        throw new ConsoleHttpError(
          400,
          'BAD_REQUEST',
          `timestamp must be epoch milliseconds or an ISO date; got ${text}`,
        );
      }
      return (await log.offsetForTimestamp(topic, partition, at)) ?? highWatermark;
    }
    default:
      throw new ConsoleHttpError(400, 'BAD_REQUEST', `from must be beginning, end, offset or timestamp; got ${from}`);
  }
}

function partitionsOf(count: number, value: string | undefined): number[] {
  if (value === undefined || value === '' || value === 'all') return Array.from({ length: count }, (_, i) => i);
  const partition = intParam(value, 'partition', 0, 0, Number.MAX_SAFE_INTEGER);
  if (partition >= count) {
    throw new ConsoleHttpError(
      404,
      'UNKNOWN_TOPIC_OR_PARTITION',
      `The topic has no partition ${partition} (it has ${count})`,
    );
  }
  return [partition];
}

/** Whether a record's key or value holds `needle` (lower case), read as UTF-8. */
function matches(record: LogRecord, needle: string): boolean {
  for (const bytes of [record.key, record.value]) {
    if (bytes === null) continue;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').toLowerCase();
    if (text.includes(needle)) return true;
  }
  return false;
}

export function messageRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { log, decoder } = ctx;

  app.get('/api/topics/:topic/messages', async (request) => {
    const { topic } = request.params as { topic: string };
    const query = request.query as Record<string, string | undefined>;
    const description = await existingTopic(log, topic);
    const limit = intParam(query.limit, 'limit', 50, 1, 1000);
    const maxBytes = intParam(query.maxBytes, 'maxBytes', 1024 * 1024, 1024, 16 * 1024 * 1024);
    const keyFormat = fieldFormat(query.keyFormat, 'keyFormat');
    const valueFormat = fieldFormat(query.valueFormat, 'valueFormat');
    const needle = (query.q ?? '').toLowerCase();
    const scanBudget =
      needle === '' ? maxBytes : intParam(query.scanBytes, 'scanBytes', DEFAULT_SCAN_BYTES, 1024, 256 * 1024 * 1024);
    const partitions = partitionsOf(description.partitions.length, query.partition);
    // Positions to go on from (the page's "more"), one per partition, as `p:offset,p:offset`.
    const resume = new Map<number, number>();
    if (query.next !== undefined && query.next !== '') {
      for (const part of query.next.split(',')) {
        const [p, o] = part.split(':');
        resume.set(
          intParam(p, 'next partition', 0, 0, Number.MAX_SAFE_INTEGER),
          intParam(o, 'next offset', 0, 0, Number.MAX_SAFE_INTEGER),
        );
      }
    }
    const perPartition = Math.max(1, Math.ceil(limit / partitions.length));
    const found: { partition: number; record: LogRecord }[] = [];
    const next: Record<number, number> = {};
    let scanned = 0;
    for (const partition of partitions) {
      let position = resume.get(partition) ?? (await startOffset(log, topic, partition, query, perPartition));
      const { highWatermark, logStartOffset } = log.offsets(topic, partition);
      position = Math.max(position, logStartOffset);
      let taken = 0;
      const share = needle === '' ? perPartition : limit;
      while (position < highWatermark && taken < share && scanned < scanBudget) {
        const result = await log.read(topic, partition, position, {
          maxBytes: Math.min(maxBytes, scanBudget - scanned),
          maxRecords: needle === '' ? share - taken : 10_000,
        });
        for (const record of result.records) {
          scanned += (record.key?.byteLength ?? 0) + (record.value?.byteLength ?? 0);
          if (needle !== '' && !matches(record, needle)) continue;
          if (taken >= share) break;
          found.push({ partition, record });
          taken++;
          position = record.offset + 1;
        }
        if (needle !== '' || taken < share) position = Math.max(position, result.nextOffset);
        if (result.nextOffset <= position && result.records.length === 0) break;
      }
      next[partition] = position;
    }
    found.sort(
      (a, b) =>
        a.record.timestamp - b.record.timestamp || a.partition - b.partition || a.record.offset - b.record.offset,
    );
    const records: ShownRecord[] = [];
    for (const { partition, record } of found.slice(0, limit)) {
      records.push(await show(decoder, topic, partition, record, keyFormat, valueFormat));
    }
    return {
      topic,
      records,
      next: Object.entries(next)
        .map(([p, o]) => `${p}:${o}`)
        .join(','),
      scannedBytes: scanned,
    };
  });

  app.get('/api/topics/:topic/tail', async (request, reply) => {
    const { topic } = request.params as { topic: string };
    const query = request.query as Record<string, string | undefined>;
    const description = await existingTopic(log, topic);
    const partitions = partitionsOf(description.partitions.length, query.partition);
    const keyFormat = fieldFormat(query.keyFormat, 'keyFormat');
    const valueFormat = fieldFormat(query.valueFormat, 'valueFormat');
    await follow(ctx, reply, topic, partitions, keyFormat, valueFormat, () => request.raw.destroyed);
  });

  app.post('/api/topics/:topic/messages', async (request, reply) => {
    ctx.writable();
    const { topic } = request.params as { topic: string };
    const body = (request.body ?? {}) as {
      key?: unknown;
      value?: unknown;
      headers?: unknown;
      partition?: unknown;
      keyFormat?: unknown;
      valueFormat?: unknown;
    };
    const description = await existingTopic(log, topic);
    for (const [name, f] of [
      ['keyFormat', body.keyFormat],
      ['valueFormat', body.valueFormat],
    ] as const) {
      if (f !== undefined && f !== null && f !== 'string' && f !== 'schema') {
        throw new ConsoleHttpError(400, 'BAD_REQUEST', `${name} must be string or schema`);
      }
    }
    const text = (v: unknown, name: string): string | null => {
      if (v === undefined || v === null) return null;
      if (typeof v !== 'string') throw new ConsoleHttpError(400, 'BAD_REQUEST', `${name} must be a string or null`);
      return v;
    };
    const key = text(body.key, 'key');
    const value = text(body.value, 'value');
    const headers: Record<string, string> = {};
    if (body.headers !== undefined && body.headers !== null) {
      if (typeof body.headers !== 'object' || Array.isArray(body.headers)) {
        throw new ConsoleHttpError(400, 'BAD_REQUEST', 'headers must be an object of names to string values');
      }
      for (const [name, v] of Object.entries(body.headers as Record<string, unknown>)) {
        const h = text(v, `header "${name}"`);
        if (h !== null) headers[name] = h;
      }
    }
    let size = Buffer.byteLength(key ?? '') + Buffer.byteLength(value ?? '');
    for (const [name, v] of Object.entries(headers)) size += Buffer.byteLength(name) + Buffer.byteLength(v);
    if (size > MAX_PRODUCE_BYTES) {
      throw new ConsoleHttpError(
        413,
        'MESSAGE_TOO_LARGE',
        `The record is ${size} bytes; the console produces at most ${MAX_PRODUCE_BYTES}`,
      );
    }
    const partition =
      body.partition === undefined || body.partition === null || body.partition === ''
        ? undefined
        : intParam(body.partition, 'partition', 0, 0, description.partitions.length - 1);
    // With `schema`, the text is JSON written with the topic's subject's latest schema.
    const encode = async (text: string | null, format: unknown, isKey: boolean): Promise<Buffer | string | null> => {
      if (text === null || format !== 'schema') return text;
      if (ctx.registry === undefined)
        throw new ConsoleHttpError(400, 'NO_REGISTRY', 'This console runs without a schema registry');
      const bytes = await ctx.registry.encode(topic, text, isKey);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    };
    const keyBytes = await encode(key, body.keyFormat, true);
    const valueBytes = await encode(value, body.valueFormat, false);
    const producer = await ctx.producer();
    const [meta] = await producer.send({
      topic,
      messages: [{ key: keyBytes, value: valueBytes, headers, ...(partition === undefined ? {} : { partition }) }],
    });
    ctx.lastWrite.set(topic, ctx.now());
    return reply
      .status(201)
      .send({ topic, partition: meta?.partition, offset: Number(meta?.baseOffset ?? meta?.offset) });
  });
}

/**
 * Streams new records of `partitions` as server-sent events (`event: record`), from each
 * partition's end at the time of the call, until the client goes away.
 */
async function follow(
  ctx: ConsoleContext,
  reply: FastifyReply,
  topic: string,
  partitions: number[],
  keyFormat: FieldFormat,
  valueFormat: FieldFormat,
  gone: () => boolean,
): Promise<void> {
  const { log, decoder } = ctx;
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
  });
  raw.write(': following\n\n');
  const interrupt = new WaitInterrupt();
  let open = true;
  const close = () => {
    open = false;
    interrupt.interrupt();
  };
  raw.on('close', close);
  const positions = partitions.map((p) => log.offsets(topic, p).highWatermark);
  const run = async (i: number) => {
    const partition = partitions[i]!;
    while (open && !gone()) {
      try {
        await log.waitForData(topic, partition, positions[i]!, interrupt);
        if (!open) return;
        const result = await log.read(topic, partition, positions[i]!, { maxBytes: 256 * 1024, maxRecords: 200 });
        for (const record of result.records) {
          const shown = await show(decoder, topic, partition, record, keyFormat, valueFormat);
          if (!open) return;
          raw.write(`event: record\ndata: ${JSON.stringify(shown)}\n\n`);
        }
        positions[i] = Math.max(positions[i]!, result.nextOffset);
      } catch (err) {
        if (open) raw.write(`event: error\ndata: ${JSON.stringify({ message: (err as Error).message })}\n\n`);
        return;
      }
    }
  };
  await Promise.all(partitions.map((_, i) => run(i)));
  raw.off('close', close);
  if (!raw.writableEnded) raw.end();
}
