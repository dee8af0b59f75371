import type { Check } from '../core/types.js';
import { ageInDays } from './age.js';

/**
 * Few versions: a signal for a young package (throwaway names publish once). An old package with
 * one version is just finished, so its finding is information only; so is one of unknown age (an
 * index without upload times: issue 10).
 */
export const fewVersions: Check = {
  id: 'few-versions',
  title: 'release history',
  needsNetwork: true,
  run(facts, ctx) {
    if (facts.versionCount === undefined || facts.versionCount >= ctx.thresholds.fewVersions) return [];
    const n = facts.versionCount;
    const young = facts.packageCreatedAt !== undefined && ageInDays(facts.packageCreatedAt, ctx.now) < ctx.thresholds.fewVersionsMaxAgeDays;
    const noun = facts.ecosystem === 'pypi' ? (n === 1 ? 'release' : 'releases') : n === 1 ? 'version' : 'versions';
    return [{
      check: 'few-versions',
      severity: young ? 'warn' : 'info',
      message: `"${facts.name}" has only ${n} ${noun}`,
    }];
  },
};
