#!/usr/bin/env -S node --initial-old-space-size=128
// --initial-old-space-size: V8 counts the memory under Buffers towards the old generation's limit, and
// with its small starting limit `trib serve` ran a full GC every 10-20 MB of batches it read or took
// (measured, 2 M records of 100 B produced and consumed back: 22 full GCs, against 2 with 128 MiB).
// The installed `trib` command: the compiled CLI in dist/ (built and bundled by `npm run build`,
// shipped in the package). A checkout without a build runs `node src/cli/trib.mjs` (through tsx) instead.
import '../dist/esm/trib.js';
