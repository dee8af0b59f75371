import type { Check } from '../core/types.js';

export const fewVersions: Check = {
  id: 'few-versions',
  title: 'release history',
  needsNetwork: true,
  run(facts, ctx) {
    if (facts.versionCount === undefined || facts.versionCount >= ctx.thresholds.fewVersions) return [];
    const n = facts.versionCount;
    return [{
      check: 'few-versions',
      severity: 'warn',
      message: `"${facts.name}" has only ${n} ${n === 1 ? (facts.ecosystem === 'pypi' ? 'release' : 'version') : facts.ecosystem === 'pypi' ? 'releases' : 'versions'}`,
    }];
  },
};
