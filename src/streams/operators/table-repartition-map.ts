import type { Change } from '../internal/change.ts';
import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { KeyValue } from '../state/key-value-store.ts';

/**
 * Kafka's KTableRepartitionMap (`KTable#groupBy`): a change re-keyed by `selector`. The old value
 * goes to its old group as a subtraction and the new value to its new group as an addition; when
 * both land on the same group they travel as one change, so the subtractor runs before the adder.
 * A pair the selector gives a null value is skipped, not re-emitted.
 */
export function ktableRepartitionMap<K, V, KR, VR>(
  selector: (key: K, value: V) => KeyValue<KR, VR>,
): ProcessorSupplier<K, Change<V>, KR, Change<VR>> {
  return operate<K, Change<V>, KR, Change<VR>>((record, ctx) => {
    const { newValue, oldValue } = record.value;
    const added = newValue === null ? null : present(selector(record.key, newValue));
    const removed = oldValue === null ? null : present(selector(record.key, oldValue));
    if (added !== null && removed !== null && sameKey(added.key, removed.key)) {
      ctx.forward({ ...record, key: added.key, value: { newValue: added.value, oldValue: removed.value } });
      return;
    }
    if (removed !== null && removed.key !== null)
      ctx.forward({ ...record, key: removed.key, value: { newValue: null, oldValue: removed.value } });
    if (added !== null && added.key !== null)
      ctx.forward({ ...record, key: added.key, value: { newValue: added.value, oldValue: null } });
  });
}

/** The selected pair, or null when it has no value: that side of the change is skipped. */
function present<KR, VR>(pair: KeyValue<KR, VR> | null | undefined): KeyValue<KR, VR> | null {
  return pair === null || pair === undefined || pair.value === null || pair.value === undefined ? null : pair;
}

function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b);
}
