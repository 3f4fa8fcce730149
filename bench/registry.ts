/**
 * `npm run bench -- registry`: the schema registry's figures.
 *
 * 1. Serde encode+decode of a small record, per format, next to the same work done with the library
 *    alone in the same run (avsc; protobufjs verify+encode+decode; ajv validate + JSON). The
 *    difference is what the wire format and the serde layer cost; the goal is at most 10%.
 * 2. REST lookups by id (`GET /schemas/ids/{id}`) and registrations (`POST /subjects/{s}/versions`,
 *    a new schema each, every one an fsynced append to `_schemas` on LevelDB) per second under 50
 *    concurrent keep-alive connections on loopback; the goal is ≥ 20,000 lookups/s. The server runs
 *    in a child process so that the load generator does not share its event loop. The load comes
 *    from autocannon when it is installed, otherwise from a bounded loop of `http.request`s over an
 *    `http.Agent` with keepAlive; the figures say which.
 *
 * Every phase is bounded in count and in time. Nothing leaves the loopback interface.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import addFormatsModule from 'ajv-formats';
import { Ajv } from 'ajv';
import avsc from 'avsc';
import protobuf from 'protobufjs';
import { openLog } from '../src/index.ts';
import { line } from './report.ts';
import { getFormat } from '../schema-registry/formats/index.ts';
import type { SchemaType } from '../schema-registry/model.ts';
import { SchemaRegistry } from '../schema-registry/registry.ts';
import type { RegistrySerde } from '../schema-registry/serdes/registry-serde.ts';
import { avroSerde, jsonSchemaSerde, protobufSerde } from '../schema-registry/serdes/formats.ts';
import { startRegistryServer } from '../schema-registry/server.ts';

const CONNECTIONS = 50;
const SERDE_ROUNDS = 5;
const SERDE_ROUND_MS = 300;
const SERDE_MAX_OPS_PER_ROUND = 2_000_000;
const LOOKUP_MS = 5_000;
const LOOKUP_MAX = 400_000;
const REGISTER_MS = 5_000;
const REGISTER_MAX = 5_000;
const CHILD_FLAG = 'TRIBUTARY_BENCH_REGISTRY_SERVER';

const avroSchema = JSON.stringify({
  type: 'record',
  name: 'Reading',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'sensor', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'ok', type: 'boolean' },
  ],
});

const protoSchema = `syntax = "proto3";
package bench;
message Reading {
  int64 id = 1;
  string sensor = 2;
  double value = 3;
  bool ok = 4;
}
`;

const jsonSchema = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Reading',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    sensor: { type: 'string' },
    value: { type: 'number' },
    ok: { type: 'boolean' },
  },
  required: ['id', 'sensor', 'value', 'ok'],
  additionalProperties: false,
});

const reading = { id: 123456, sensor: 'greenhouse-7', value: 21.5, ok: true };

/** `BENCH_REGISTRY_ONLY=serde` or `=rest` runs one part. */
const only = process.env.BENCH_REGISTRY_ONLY;

/** Runs the registry benchmarks; answers every figure by name. */
export async function run(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  if (only === undefined || only === 'serde') Object.assign(figures, await serdeFigures());
  if (only === undefined || only === 'rest') Object.assign(figures, await restFigures());
  return figures;
}

// ---------------------------------------------------------------- serdes

export async function serdeFigures(): Promise<Record<string, number>> {
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  const registry = await SchemaRegistry.open(log);
  const out: Record<string, number> = {};
  try {
    const cases: { name: string; topic: string; serde: RegistrySerde; direct: () => void }[] = [];

    const avroType = avsc.Type.forSchema(JSON.parse(avroSchema) as avsc.Schema);
    cases.push({
      name: 'avro',
      topic: 'readings-avro',
      serde: await avroSerde({ registry, schema: avroSchema, topics: ['readings-avro'] }),
      direct: () => {
        avroType.fromBuffer(avroType.toBuffer(reading));
      },
    });

    const protoType = protobuf.parse(protoSchema, { keepCase: true }).root.lookupType('bench.Reading');
    cases.push({
      name: 'protobuf',
      topic: 'readings-protobuf',
      serde: await protobufSerde({ registry, schema: protoSchema, topics: ['readings-protobuf'] }),
      direct: () => {
        if (protoType.verify(reading) !== null) throw new Error('invalid');
        protoType.decode(protoType.encode(reading).finish());
      },
    });

    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormatsModule.default(ajv);
    const validate = ajv.compile(JSON.parse(jsonSchema) as object);
    cases.push({
      name: 'json',
      topic: 'readings-json',
      serde: await jsonSchemaSerde({ registry, schema: jsonSchema, topics: ['readings-json'] }),
      direct: () => {
        if (!validate(reading)) throw new Error('invalid');
        JSON.parse(Buffer.from(JSON.stringify(reading), 'utf8').toString('utf8'));
      },
    });

    for (const c of cases) {
      const viaSerde = () => {
        c.serde.deserialize(c.topic, c.serde.serialize(c.topic, reading));
      };
      const plugin = getFormat(formatOf(c.name));
      const parsed = registry.parsedSchema(c.serde.schemaIdFor(c.topic)!);
      const viaPlugin = () => {
        plugin.deserialize(parsed, plugin.serialize(parsed, reading));
      };
      // Alternating rounds, best of each: every side sees the same machine state.
      let bestSerde = 0;
      let bestPlugin = 0;
      let bestDirect = 0;
      for (let round = 0; round < SERDE_ROUNDS; round++) {
        bestDirect = Math.max(bestDirect, opsPerSecond(c.direct));
        bestPlugin = Math.max(bestPlugin, opsPerSecond(viaPlugin));
        bestSerde = Math.max(bestSerde, opsPerSecond(viaSerde));
      }
      const total = (bestDirect / bestSerde - 1) * 100;
      const wire = (bestPlugin / bestSerde - 1) * 100;
      out[`${c.name}_serde_roundtrips_per_s`] = Math.round(bestSerde);
      out[`${c.name}_plugin_roundtrips_per_s`] = Math.round(bestPlugin);
      out[`${c.name}_library_roundtrips_per_s`] = Math.round(bestDirect);
      out[`${c.name}_serde_overhead_vs_library_pct`] = round1(total);
      out[`${c.name}_wire_overhead_vs_plugin_pct`] = round1(wire);
      report(
        `${c.name} serde encode+decode`,
        bestSerde,
        'ops/s',
        `${c.name} library alone`,
        bestDirect,
        `serde ${costs(total)} than the library (goal ≤ 10% more)`,
      );
      report(
        `${c.name} serde encode+decode`,
        bestSerde,
        'ops/s',
        `${c.name} format plugin alone`,
        bestPlugin,
        `framing ${costs(wire)}`,
      );
    }
  } finally {
    await registry.close();
    await log.close();
  }
  return out;
}

function formatOf(name: string): SchemaType {
  return name === 'avro' ? 'AVRO' : name === 'protobuf' ? 'PROTOBUF' : 'JSON';
}

function opsPerSecond(fn: () => void): number {
  // Warm-up, so the JIT has seen the function before it is timed.
  for (let i = 0; i < 2_000; i++) fn();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(SERDE_ROUND_MS) * 1_000_000n;
  let ops = 0;
  while (ops < SERDE_MAX_OPS_PER_ROUND) {
    for (let i = 0; i < 500; i++) fn();
    ops += 500;
    if (process.hrtime.bigint() >= deadline) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return ops / seconds;
}

// ---------------------------------------------------------------- REST

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  p99Ms: number;
}

export async function restFigures(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-registry-'));
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [CHILD_FLAG]: dir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`registry server exited with ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const autocannon = await loadAutocannon();

    // Ten schemas to look up.
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      const body = JSON.stringify({ schema: recordSchema(`lookup${i}`) });
      const answer = await request(agent, base, 'POST', '/subjects/lookup-value-' + i + '/versions', body);
      ids.push((JSON.parse(answer.body) as { id: number }).id);
    }

    let n = 0;
    const nextLookup = () => ({ method: 'GET', path: `/schemas/ids/${ids[n++ % ids.length]}` });
    // The http.Agent client costs more CPU per request than the server does: on a small machine it
    // measures itself. A raw keep-alive socket loop (what autocannon does) measures the server.
    const viaAgent = await loadLoop(agent, base, LOOKUP_MS, LOOKUP_MAX, nextLookup);
    const lookup =
      autocannon === undefined
        ? await socketLoop(port, LOOKUP_MS, LOOKUP_MAX, nextLookup)
        : await autocannonRun(autocannon, base, LOOKUP_MS, LOOKUP_MAX, nextLookup);
    let r = 0;
    const registerRequest = () => ({
      method: 'POST',
      path: `/subjects/bench-${r}/versions`,
      body: JSON.stringify({ schema: recordSchema(`f${r++}`) }),
    });
    const register =
      autocannon === undefined
        ? await loadLoop(agent, base, REGISTER_MS, REGISTER_MAX, registerRequest)
        : await autocannonRun(autocannon, base, REGISTER_MS, REGISTER_MAX, registerRequest);
    agent.destroy();

    const lookupsPerS = lookup.requests / lookup.seconds;
    const agentPerS = viaAgent.requests / viaAgent.seconds;
    const registersPerS = register.requests / register.seconds;
    const tool = autocannon === undefined ? 'raw keep-alive sockets' : 'autocannon';
    const registerTool = autocannon === undefined ? 'http.Agent loop' : 'autocannon';
    report(
      `REST lookups by id (${tool}, ${CONNECTIONS} connections)`,
      lookupsPerS,
      'req/s',
      'goal',
      20_000,
      `p99 ${round1(lookup.p99Ms)} ms, ${lookup.errors} errors`,
    );
    report(
      `REST lookups by id (http.Agent loop, ${CONNECTIONS} connections)`,
      agentPerS,
      'req/s',
      'goal',
      20_000,
      `p99 ${round1(viaAgent.p99Ms)} ms, ${viaAgent.errors} errors`,
    );
    report(
      `REST registrations, fsynced (${registerTool}, ${CONNECTIONS} connections)`,
      registersPerS,
      'req/s',
      'lookups',
      lookupsPerS,
      `p99 ${round1(register.p99Ms)} ms, ${register.errors} errors`,
    );
    return {
      rest_lookups_per_s: Math.round(lookupsPerS),
      rest_lookup_p99_ms: round1(lookup.p99Ms),
      rest_lookup_errors: lookup.errors,
      rest_lookups_per_s_http_agent: Math.round(agentPerS),
      rest_registrations_per_s: Math.round(registersPerS),
      rest_registration_p99_ms: round1(register.p99Ms),
      rest_registration_errors: register.errors,
      rest_load_tool_is_autocannon: autocannon === undefined ? 0 : 1,
    };
  } finally {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}

function recordSchema(field: string): string {
  return JSON.stringify({ type: 'record', name: 'R', namespace: 'bench', fields: [{ name: field, type: 'string' }] });
}

interface Req {
  method: string;
  path: string;
  body?: string;
}

function request(
  agent: http.Agent,
  base: string,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent,
        headers:
          body === undefined
            ? {}
            : { 'content-type': 'application/vnd.schemaregistry.v1+json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** CONNECTIONS workers, each sending one request after another until the count or time is up. */
async function loadLoop(
  agent: http.Agent,
  base: string,
  ms: number,
  max: number,
  next: () => Req,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + ms;
  const worker = async () => {
    while (sent < max && performance.now() < deadline) {
      sent++;
      const { method, path, body } = next();
      const t0 = performance.now();
      try {
        const res = await request(agent, base, method, path, body);
        if (res.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { requests: latencies.length, errors, seconds, p99Ms: percentile(latencies, 0.99) };
}

/**
 * CONNECTIONS raw keep-alive sockets, each sending a request as soon as the previous answer is in;
 * answers are framed by Content-Length (the registry always sends one).
 */
async function socketLoop(port: number, ms: number, max: number, next: () => Req): Promise<LoadResult> {
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + ms;
  const connection = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let pending: Buffer = Buffer.alloc(0);
      let t0 = 0;
      const send = () => {
        if (sent >= max || performance.now() >= deadline) {
          socket.end();
          resolve();
          return;
        }
        sent++;
        const { method, path, body } = next();
        const head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n`;
        const extra =
          body === undefined
            ? '\r\n'
            : `Content-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
        t0 = performance.now();
        socket.write(head + extra);
      };
      socket.on('connect', send);
      socket.on('error', () => {
        errors++;
        resolve();
      });
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        for (;;) {
          const headEnd = pending.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const head = pending.toString('latin1', 0, headEnd);
          const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
          if (pending.length < headEnd + 4 + length) return;
          if (!head.startsWith('HTTP/1.1 200')) errors++;
          pending = pending.subarray(headEnd + 4 + length);
          latencies.push(performance.now() - t0);
          send();
        }
      });
    });
  await Promise.all(Array.from({ length: CONNECTIONS }, connection));
  const seconds = (performance.now() - start) / 1000;
  return { requests: latencies.length, errors, seconds, p99Ms: percentile(latencies, 0.99) };
}

type Autocannon = (options: Record<string, unknown>) => Promise<{
  requests: { total: number };
  latency: { p99: number };
  errors: number;
  non2xx: number;
  duration: number;
}>;

/** autocannon when installed (it is optional: `npm i -D autocannon` to use it). */
async function loadAutocannon(): Promise<Autocannon | undefined> {
  const name = 'autocannon';
  try {
    const mod = (await import(name)) as { default?: Autocannon };
    return mod.default;
  } catch {
    return undefined;
  }
}

async function autocannonRun(
  autocannon: Autocannon,
  base: string,
  ms: number,
  max: number,
  next: () => Req,
): Promise<LoadResult> {
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: ms / 1000,
    amount: max,
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const r = next();
          return {
            ...req,
            method: r.method,
            path: r.path,
            ...(r.body === undefined
              ? {}
              : { body: r.body, headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' } }),
          };
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    errors: result.errors + result.non2xx,
    seconds: result.duration,
    p99Ms: result.latency.p99,
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // A child that does not stop on request is killed: the bench is bounded in time.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ stop: true });
  });
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** "costs 4.2% more" or, within the machine's noise of the reference, "costs 3.1% less". */
function costs(pct: number): string {
  return pct >= 0 ? `costs ${round1(pct)}% more` : `costs ${round1(-pct)}% less`;
}

function report(name: string, value: number, unit: string, refName: string, ref: number, note: string): void {
  line(name, value, unit, { label: refName, value: ref });
  console.log(`${''.padEnd(46)}${note}`);
}

/** The child process: a registry server on a LevelDB log, until the parent says stop. */
async function serveForParent(dataDir: string): Promise<void> {
  const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
  const server = await startRegistryServer(log, { port: 0, host: '127.0.0.1' });
  process.send?.({ port: server.port });
  process.on('message', async () => {
    await server.close();
    await log.close();
    process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
}

const childDir = process.env[CHILD_FLAG];
if (childDir !== undefined && process.send !== undefined) await serveForParent(childDir);
