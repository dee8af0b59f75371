import type { Check, Finding } from '../core/types.js';

/** No repository / no description: weak signals, information only. Unknown (undefined) says nothing. */
export const missingMetadata: Check = {
  id: 'missing-metadata',
  title: 'repository and description',
  needsNetwork: true,
  run(facts) {
    const out: Finding[] = [];
    if (facts.repository === null) {
      out.push({ check: 'missing-metadata', severity: 'info', message: `"${facts.name}" names no source repository` });
    }
    if (facts.description === null) {
      out.push({ check: 'missing-metadata', severity: 'info', message: `"${facts.name}" has no description` });
    }
    return out;
  },
};
