/** Prints one figure beside its reference and the ratio, so noisy machines still compare. */
export function line(label: string, value: number, unit: string, reference?: { label: string; value: number }): void {
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
  let out = `${label.padEnd(44)} ${fmt(value).padStart(12)} ${unit}`;
  if (reference !== undefined) {
    out += `   | ${reference.label}: ${fmt(reference.value)} ${unit}   ratio ${(value / reference.value).toFixed(2)}`;
  }
  console.log(out);
}

/** Seconds since `start` (from performance.now()). */
export function since(start: number): number {
  return (performance.now() - start) / 1000;
}
