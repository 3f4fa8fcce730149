/**
 * "Did you mean …?" for mistyped commands and flags, as git and rpk answer them: the closest
 * candidate by edit distance, if it is close enough to be what the user meant.
 */

/** Levenshtein distance, with a transposition counting as one edit (`topcis` → `topics`). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `input`, or undefined when none is close: within a third of the
 * longer word's length (at least 2 edits), or one that starts with the input or that the input starts with.
 *
 * @example
 * closest('topcis', ['topics', 'groups']); // 'topics'
 * closest('xyz', ['topics', 'groups']); // undefined
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    const limit = Math.max(2, Math.floor(Math.max(input.length, candidate.length) / 3));
    const prefix = input.length >= 3 && (candidate.startsWith(input) || input.startsWith(candidate));
    if (distance > limit && !prefix) continue;
    // A prefix match ranks as a near one, so `trib top` finds `topics`.
    const score = prefix ? Math.min(distance, 1) : distance;
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
