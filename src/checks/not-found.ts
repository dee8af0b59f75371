import type { Check } from '../core/types.js';

/** The registry says the package (or the requested version) does not exist. */
export const notFound: Check = {
  id: 'not-found',
  title: 'package exists',
  needsNetwork: true,
  run(facts) {
    if (facts.exists === false) {
      // pip's word for where packages come from is the package index, not a registry.
      const where = facts.ecosystem === 'pypi' ? 'on the package index' : 'in the registry';
      return [{ check: 'not-found', severity: 'block', message: `"${facts.name}" was not found ${where}` }];
    }
    if (facts.versionNotFound) {
      return [{ check: 'not-found', severity: 'block', message: `no version of "${facts.name}" matches "${facts.requested}"` }];
    }
    return [];
  },
};
