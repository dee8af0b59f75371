import type { Check } from '../core/types.js';

/** The registry says the package (or the requested version) does not exist. */
export const notFound: Check = {
  id: 'not-found',
  title: 'package exists',
  needsNetwork: true,
  run(facts) {
    if (facts.exists === false) {
      return [{ check: 'not-found', severity: 'block', message: `"${facts.name}" was not found in the registry` }];
    }
    if (facts.versionNotFound) {
      return [{ check: 'not-found', severity: 'block', message: `no version of "${facts.name}" matches "${facts.requested}"` }];
    }
    return [];
  },
};
