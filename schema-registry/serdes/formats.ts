/**
 * One serde factory per format: {@link avroSerde}, {@link protobufSerde}, {@link jsonSchemaSerde}.
 * Each is {@link registrySerde} with the schema type filled in.
 *
 * @example
 * const serde = await avroSerde<User>({
 *   registry,                       // a SchemaRegistry, or a RegistryClient for a remote one
 *   schema: '{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}',
 *   topics: ['users'],              // registers users-value now
 * });
 */
import { type RegistrySerde, type RegistrySerdeOptions, registrySerde } from './registry-serde.ts';

/** Options of the per-format factories: everything but the schema type. */
export type FormatSerdeOptions = Omit<RegistrySerdeOptions, 'schemaType'>;

/** Avro with Confluent's wire format; values are avsc's (see the Avro plugin). */
export function avroSerde<T = unknown>(options: FormatSerdeOptions): Promise<RegistrySerde<T>> {
  return registrySerde<T>({ ...options, schemaType: 'AVRO' });
}

/** Protobuf with Confluent's wire format and message indexes; `messageName` picks the message. */
export function protobufSerde<T = unknown>(options: FormatSerdeOptions): Promise<RegistrySerde<T>> {
  return registrySerde<T>({ ...options, schemaType: 'PROTOBUF' });
}

/** JSON Schema with Confluent's wire format: values are validated, then written as JSON text. */
export function jsonSchemaSerde<T = unknown>(options: FormatSerdeOptions): Promise<RegistrySerde<T>> {
  return registrySerde<T>({ ...options, schemaType: 'JSON' });
}
