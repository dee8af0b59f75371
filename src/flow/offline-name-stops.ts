/**
 * When the registry or index cannot be reached, the install stops before any package could be
 * checked (68). A requested name that the name check blocks offline is still known to be one slip
 * from a popular package: said with its did-you-mean, and the stop is the block `safe check`
 * gives offline (65), not "could not verify" — the user's typo, not the network, is what to fix.
 */
import type { PopularNameIndex } from '../core/types.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';

/** What an npm command line asks for: install specs, or the packages exec/init runs. */
export function requestedSpecsOf(inv: NpmInvocation) {
  return inv.kind === 'exec' || inv.kind === 'init' ? inv.exec?.packages ?? [] : inv.specs;
}

/** The registry names an npm command line asks for. */
export function requestedRegistryNames(inv: NpmInvocation): string[] {
  return requestedSpecsOf(inv).flatMap((spec) => (spec.fromRegistry && spec.registryName ? [spec.registryName] : []));
}

/** One line per requested name the offline name check blocks (not the weak look-alikes, which only warn). */
export function offlineLookalikeLines(names: readonly string[], popular: PopularNameIndex): string[] {
  const lines: string[] = [];
  for (const name of new Set(names)) {
    const found = popular.lookAlike(name);
    if (!found || found.weak) continue;
    lines.push(`"${name}" looks like the popular package "${found.target}" (${found.reason}): did you mean "${found.target}"?`);
  }
  return lines;
}
