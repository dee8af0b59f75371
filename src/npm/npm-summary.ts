/** npm's summary line after a reify, in npm's words and format. Pure. */

/** npm's own wording (lib/utils/reify-output.js, no audit): "added 3 packages, and removed 1 package". */
export function installSummary({ added, removed, changed }: { added: number; removed: number; changed: number }): string {
  const part = (n: number, verb: string) => `${verb} ${n} package${n === 1 ? '' : 's'}`;
  if (!added && !removed && !changed) return 'up to date';
  let text = added ? part(added, 'added') : '';
  if (removed) text += `${added ? ', ' : ''}${added && !changed ? 'and ' : ''}${part(removed, 'removed')}`;
  if (changed) text += `${added || removed ? ', and ' : ''}${part(changed, 'changed')}`;
  return text;
}

/** A duration as npm prints it (the `ms` package's short form): "450ms", "2s", "1m". */
export function npmDuration(ms: number): string {
  const units: Array<[number, string]> = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']];
  for (const [size, unit] of units) if (Math.abs(ms) >= size) return `${Math.round(ms / size)}${unit}`;
  return `${Math.round(ms)}ms`;
}
