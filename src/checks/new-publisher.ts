import type { Check } from '../core/types.js';
import { releasePair } from './release-compare.js';

/**
 * The account that published this version is not the one that published the version compared
 * with: how the 2025 chalk/debug compromise looked from the outside. Legitimate hand-overs happen,
 * so this warns rather than blocks. Silent when either publisher is unknown (mirrors strip `_npmUser`).
 */
export const newPublisher: Check = {
  id: 'new-publisher',
  title: 'publisher changed since the previous version',
  needsNetwork: true,
  run(facts) {
    const pair = releasePair(facts);
    if (!pair) return [];
    const after = pair.release.publisher;
    const before = pair.previous.publisher;
    if (!after || !before || after === before) return [];
    return [{
      check: 'new-publisher',
      severity: 'warn',
      message: `${pair.label} was published by "${after}" (${pair.previousLabel}, by "${before}")`,
    }];
  },
};
