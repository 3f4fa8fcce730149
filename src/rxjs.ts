/**
 * rxjs, loaded the first time an observable is made rather than when Tributary is imported.
 *
 * Why: loading rxjs costs about 60 ms, more than the rest of the library, and most programs never
 * ask for an observable. A static `import` would load it with `import 'tributary'`; `import()` would
 * make `observe()` asynchronous. Node resolves rxjs to the same CommonJS build for `import` and
 * `require` (rxjs's `node` export condition), so the module required here is the very one a program's
 * own `import { map } from 'rxjs'` gets: its operators and `instanceof` checks work on ours.
 */
import { createRequire } from 'node:module';
import type * as Rx from 'rxjs';

let loaded: typeof Rx | undefined;

/** @internal The rxjs module, required on the first call. */
export function rxjs(): typeof Rx {
  loaded ??= createRequire(import.meta.url)('rxjs') as typeof Rx;
  return loaded;
}
