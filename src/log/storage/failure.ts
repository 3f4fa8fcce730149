/**
 * Words for a storage failure that an operator can act on: a full disk is named as such (LevelDB
 * reports it as an IO error whose text holds the system's message), anything else keeps its message.
 */
export function describeStorageFailure(err: unknown): string {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  const inner = (err as { cause?: { message?: string } } | undefined)?.cause?.message ?? '';
  if (code === 'ENOSPC' || /no space left/i.test(`${message ?? ''} ${inner}`)) return 'the disk is full (ENOSPC)';
  return message ?? String(err);
}
