#!/usr/bin/env node
// The `trib` executable: registers tsx's loader (Tributary ships TypeScript sources) and runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./trib.ts');
