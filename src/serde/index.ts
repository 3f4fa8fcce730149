export type { Serde, SerdeHeaders, SerdeType } from './serde.ts';
export { Serdes } from './serdes.ts';
