/**
 * Tributary's schema registry: subjects, versions and global ids for Avro, Protobuf and JSON Schema,
 * kept in the log's `_schemas` topic; Confluent's REST API; serdes in Confluent's wire format.
 *
 * @example
 * import { openLog } from 'tributary';
 * import { avroSerde, startRegistryServer } from 'tributary/schema-registry';
 *
 * const log = await openLog({ dataDir: './.tributary' });
 * const server = await startRegistryServer(log, { port: 8081 });
 * const users = await avroSerde({ registry: server.registry, schema: userSchema, topics: ['users'] });
 */
export { RegistryClient, type RegistryClientOptions } from './client.ts';
export { REST_ERRORS } from './errors.ts';
export {
  type CheckedCompatibility,
  COMPATIBILITY_LEVELS,
  type CompatibilityFinding,
  type CompatibilityIssue,
  type CompatibilityLevel,
  type CompatibilityResult,
  DEFAULT_COMPATIBILITY,
  DEFAULT_MODE,
  isReadOnly,
  type Mode,
  MODES,
  parseVersionSelector,
  type Registration,
  type RegisterOptions,
  type SchemaInput,
  type SchemaReference,
  type SchemaType,
  type StoredSchema,
  type SubjectVersion,
  type VersionSelector,
} from './model.ts';
export {
  type ProducerLike,
  type ValidatedMessage,
  type ValidatedProducer,
  type ValidatedProducerBatch,
  type ValidatedProducerRecord,
  validatedProducer,
} from './producer.ts';
export { type DeletedOption, SchemaRegistry, type SchemaRegistryOptions } from './registry.ts';
export {
  buildRegistryApp,
  DEFAULT_BODY_LIMIT,
  type RegistryAppOptions,
  type RegistryServer,
  type RegistryServerOptions,
  startRegistryServer,
} from './server.ts';
export { localSource, type SchemaSource } from './source.ts';
export type { ConfigSetting } from './state.ts';
export { DEFAULT_SCHEMAS_TOPIC } from './store.ts';
export {
  avroSerde,
  type BatchSerdes,
  encodeIndexes,
  type FormatSerdeOptions,
  type Frame,
  frame,
  jsonSchemaSerde,
  MAGIC_BYTE,
  type OutgoingMessage,
  peekSchemaId,
  protobufSerde,
  RegistrySerde,
  type RegistrySerdeOptions,
  registrySerde,
  type SerializedMessage,
  type SubjectNameContext,
  type SubjectNameStrategy,
  serializeBatch,
  subjectName,
  unframe,
} from './serdes/index.ts';
export { consoleRegistry, remoteConsoleRegistry } from './console.ts';
