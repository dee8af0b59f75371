import type { Check, Finding } from '../core/types.js';

/**
 * A name that looks like a popular one (ctx.popular decides: see popular-names.ts). Blocks, with a
 * "did you mean" suggestion. Works offline. A popular name itself is never flagged, and neither is
 * a package that does not come from the registry (a git URL, a tarball, a folder has no name to squat).
 */
export const typosquat: Check = {
  id: 'typosquat',
  title: 'name looks like a popular package',
  needsNetwork: false,
  run(facts, ctx) {
    if (facts.source !== 'registry') return [];
    const found = ctx.popular.lookAlike(facts.name);
    if (!found) return [];
    const finding: Finding = {
      check: 'typosquat',
      severity: 'block',
      message: `"${facts.name}" looks like the popular package "${found.target}" (${found.reason})`,
      didYouMean: found.target,
    };
    return [finding];
  },
};
