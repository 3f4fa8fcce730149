/**
 * A line diff for the schema page: the longest common subsequence of two texts' lines, as
 * unchanged (` `), removed (`-`) and added (`+`) lines. Schemas are small; texts over
 * {@link MAX_DIFF_LINES} lines are compared line by line at the same index instead.
 *
 * @example
 * lineDiff('a\nb', 'a\nc'); // [{ op: ' ', text: 'a' }, { op: '-', text: 'b' }, { op: '+', text: 'c' }]
 */

/** One line of a diff. */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

export const MAX_DIFF_LINES = 4000;

/** The lines of `before` and `after` as unchanged, removed and added, in order. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length > MAX_DIFF_LINES || b.length > MAX_DIFF_LINES) return naive(a, b);
  // lengths[i][j]: LCS length of a[i..] and b[j..], in one flat array.
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? lengths[(i + 1) * width + j + 1]! + 1
          : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i]! });
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      out.push({ op: '-', text: a[i++]! });
    } else {
      out.push({ op: '+', text: b[j++]! });
    }
  }
  while (i < a.length) out.push({ op: '-', text: a[i++]! });
  while (j < b.length) out.push({ op: '+', text: b[j++]! });
  return out;
}

function naive(a: string[], b: string[]): DiffLine[] {
  const out: DiffLine[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) out.push({ op: ' ', text: a[i]! });
    else {
      if (i < a.length) out.push({ op: '-', text: a[i]! });
      if (i < b.length) out.push({ op: '+', text: b[i]! });
    }
  }
  return out;
}
