/**
 * The group coordinator moved to `src/cluster` (server-side state, ARCHITECTURE.md); this module
 * re-exports it for the imports that still name this path.
 */
export * from '../../cluster/group-coordinator.ts';
