/** Registry serdes: Confluent's wire format over `Serde<T>`. */
export { type BatchSerdes, type OutgoingMessage, type SerializedMessage, serializeBatch } from './batch.ts';
export { avroSerde, type FormatSerdeOptions, jsonSchemaSerde, protobufSerde } from './formats.ts';
export { RegistrySerde, type RegistrySerdeOptions, registrySerde } from './registry-serde.ts';
export { type SubjectNameContext, type SubjectNameStrategy, subjectName } from './subject-name.ts';
export { encodeIndexes, type Frame, frame, MAGIC_BYTE, peekSchemaId, unframe } from './wire.ts';
