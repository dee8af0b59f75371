import type { Check } from '../core/types.js';
import { ageInDays, describeAge } from './age.js';

/** The package itself was first published recently (most malicious packages live hours or days). */
export const newPackage: Check = {
  id: 'new-package',
  title: 'package age',
  needsNetwork: true,
  run(facts, ctx) {
    if (!facts.packageCreatedAt) return [];
    if (ageInDays(facts.packageCreatedAt, ctx.now) >= ctx.thresholds.newPackageDays) return [];
    return [{
      check: 'new-package',
      severity: 'warn',
      message: `"${facts.name}" was first published ${describeAge(facts.packageCreatedAt, ctx.now)} ago`,
    }];
  },
};
