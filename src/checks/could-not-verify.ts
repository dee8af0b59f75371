import type { Check } from '../core/types.js';

/** Fetching facts failed (network, TLS, 5xx, bad document): we cannot vouch for the package. */
export const couldNotVerify: Check = {
  id: 'could-not-verify',
  title: 'facts could be fetched',
  needsNetwork: true,
  run(facts) {
    if (!facts.fetchError) return [];
    return [{ check: 'could-not-verify', severity: 'block', message: `could not verify "${facts.name}": ${facts.fetchError}` }];
  },
};
