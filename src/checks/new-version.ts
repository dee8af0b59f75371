import type { Check } from '../core/types.js';
import { ageInDays, describeAge } from './age.js';

/** The chosen version was published recently (account takeovers are usually caught within hours). */
export const newVersion: Check = {
  id: 'new-version',
  title: 'version age',
  needsNetwork: true,
  run(facts, ctx) {
    if (!facts.versionPublishedAt || !facts.version) return [];
    if (ageInDays(facts.versionPublishedAt, ctx.now) >= ctx.thresholds.newVersionDays) return [];
    return [{
      check: 'new-version',
      severity: 'warn',
      message: `${facts.name}@${facts.version} was published ${describeAge(facts.versionPublishedAt, ctx.now)} ago`,
    }];
  },
};
