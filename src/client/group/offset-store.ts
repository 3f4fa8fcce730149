/**
 * Committed offsets moved to `src/cluster` (server-side state, ARCHITECTURE.md); this module
 * re-exports them for the imports that still name this path.
 */
export * from '../../cluster/offset-store.ts';
