#!/usr/bin/env node
// The installed `trib` command: the compiled CLI in dist/ (built and bundled by `npm run build`,
// shipped in the package). A checkout without a build runs `node src/cli/trib.mjs` (through tsx) instead.
import '../dist/esm/trib.js';
