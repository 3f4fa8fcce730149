/**
 * `trib produce --value-schema` and `trib consume --value-format`, as kafka-avro-console-producer
 * and -consumer (and kcat -s avro) use them: JSON lines in, schema'd records in the log, JSON out.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trib } from './run-trib.ts';

const userAvro = JSON.stringify({
  type: 'record',
  name: 'User',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'name', type: 'string' },
  ],
});
const userProto = 'syntax = "proto3";\npackage shop;\nmessage User {\n  int32 id = 1;\n  string name = 2;\n}\n';
const userJsonSchema = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'User',
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' } },
  required: ['id', 'name'],
});

describe('trib produce and consume with a schema registry', { timeout: 240_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trib-schemas-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should write JSON lines as Avro, Protobuf and JSON Schema records and read them back as JSON', async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'log') };
    const files = { avro: join(dir, 'user.avsc'), proto: join(dir, 'user.proto'), json: join(dir, 'user.schema.json') };
    await writeFile(files.avro, userAvro);
    await writeFile(files.proto, userProto);
    await writeFile(files.json, userJsonSchema);
    const input = '{"id":1,"name":"Ada"}\n{"id":2,"name":"Grace"}\n';
    for (const [topic, file] of [
      ['avro-users', files.avro],
      ['proto-users', files.proto],
      ['json-users', files.json],
    ] as const) {
      expect((await trib(['topics', 'create', topic], { env })).code).toBe(0);
      const produced = await trib(['produce', topic, '--value-schema', file], { env, input });
      expect(produced.stderr, topic).toMatch(/^Produced 2 record\(s\)/);
      const consumed = await trib(['consume', topic, '--from-beginning', '-e', '--value-format', 'schema'], { env });
      expect(consumed.stdout, topic).toBe(input);
      // The bytes in the log are Confluent's wire format, not the text.
      const raw = await trib(['consume', topic, '--from-beginning', '-e', '-c', '1', '-f', '%S\\n'], { env });
      expect(Number(raw.stdout), topic).not.toBe('{"id":1,"name":"Ada"}'.length);
    }
    const subjects = await trib(['schemas', 'list'], { env });
    expect(subjects.stdout).toBe('avro-users-value\njson-users-value\nproto-users-value\n');
    // kcat -J with -s avro: the payload as a JSON value, with its schema id.
    const json = await trib(
      ['consume', 'avro-users', '--from-beginning', '-e', '-c', '1', '-J', '--value-format', 'avro'],
      { env },
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      payload: { id: 1, name: 'Ada' },
      value_schema_id: expect.any(Number),
    });
    // A type that is not the writer's is refused, as a typed error.
    const wrong = await trib(['consume', 'avro-users', '--from-beginning', '-e', '--value-format', 'protobuf'], {
      env,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('[SERIALIZATION_ERROR]');
  });

  it("should key records with a key schema, write with a subject's latest version and refuse a line that does not fit", async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'keys') };
    await trib(['topics', 'create', 'users'], { env });
    const keyed = await trib(['produce', 'users', '-K', '|', '--key-schema', '"string"', '--value-schema', userAvro], {
      env,
      input: '"u1"|{"id":1,"name":"Ada"}\n',
    });
    expect(keyed.code).toBe(0);
    const out = await trib(
      ['consume', 'users', '--from-beginning', '-e', '--key-format', 'schema', '--value-format', 'schema', '--key'],
      { env },
    );
    expect(out.stdout).toBe('"u1"\t{"id":1,"name":"Ada"}\n');
    await trib(['topics', 'create', 'people'], { env });
    const bySubject = await trib(['produce', 'people', '--value-subject', 'users-value'], {
      env,
      input: '{"id":3,"name":"Lin"}\n',
    });
    expect(bySubject.code).toBe(0);
    expect(
      (await trib(['consume', 'people', '--from-beginning', '-e', '--value-format', 'schema'], { env })).stdout,
    ).toBe('{"id":3,"name":"Lin"}\n');
    const bad = await trib(['produce', 'users', '--value-schema', userAvro], {
      env,
      input: '{"id":4,"name":"Kay"}\nnot json\n{"id":5,"name":"Joe"}\n',
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^Produced 1 record\(s\) to users in .* before the error below\ntrib: Line 2: the value is not JSON.*\[SERIALIZATION_ERROR\]\n$/,
    );
  });
});
