import type { Check } from '../core/types.js';

/** What was asked of the package: the spec without its name (`>99` of `left-pad@>99`, `==9.9` of `requests==9.9`). */
function wantedOf(requested: string, name: string): string {
  return requested.toLowerCase().startsWith(name.toLowerCase()) ? requested.slice(name.length).replace(/^@/, '').trim() : requested;
}

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
      // The package is there; what was asked of it is not (its own id: the advice is to check the version, not the name).
      const wanted = wantedOf(facts.requested, facts.name);
      return [{ check: 'version-not-found', severity: 'block', message: `"${facts.name}" has no version ${wanted ? `matching "${wanted}"` : 'to install'}` }];
    }
    return [];
  },
};
