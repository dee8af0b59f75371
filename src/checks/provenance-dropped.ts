import type { Check } from '../core/types.js';
import { releasePair } from './release-compare.js';

/**
 * A release without a provenance attestation after one with it: it was not built and signed by the
 * project's CI but published from somewhere else, with a token: the pattern of several 2025 account
 * takeovers (stolen npm tokens publishing from a laptop). Silent when neither side has provenance
 * (most packages, and mirrors that strip `dist.attestations`).
 */
export const provenanceDropped: Check = {
  id: 'provenance-dropped',
  title: 'provenance attestation dropped since the previous version',
  ecosystems: ['npm'],
  needsNetwork: true,
  run(facts) {
    const pair = releasePair(facts);
    if (!pair || pair.previous.provenance !== true || pair.release.provenance !== false) return [];
    return [{
      check: 'provenance-dropped',
      severity: 'warn',
      message: `${pair.label} was published without a provenance attestation (${pair.previousLabel}, with one: built and signed in CI)`,
      details: [`provenance before (${pair.previous.version}): attested`, `provenance now (${pair.release.version}): none`],
    }];
  },
};
