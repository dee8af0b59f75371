/**
 * Rule 6d (two plausible slips at once, `fa-extar`) for long npm names whatever their rank
 * (`regenraotr` for regenerator: a vowel left out and two letters swapped). Rule 6d compares only
 * the top 500 names of 7 letters or more: short names sit two slips from many real ones. The longer
 * the name, the fewer real names sit two slips from it by chance, so from MIN_LONG_TWO_SLIP_TARGET_LENGTH
 * letters (separators removed) every listed name counts. A vowel left out between consonants is a
 * plausible slip here as it is in npm's rule 6 (`bp66` for bip66).
 *
 * Guard: the candidate must not lack two letters together at the target's end: that is the original
 * the target is an edition of (`oidc-client` and oidc-client-ts), the mirror of two letters added at the
 * end (`markdown-it-pyrs`, see two-edits-top-names.ts).
 *
 * The long names are found by their length and their first or last three letters (popular-names.ts,
 * longNameEnds): a slip at each end at once is not found (`wdigetframewrok`), and the look-up stays a
 * few dozen comparisons (measured: about 8 µs more per name looked up, on a busy machine).
 *
 * Measured (npm run eval, 2026-12-01): one look-alike found (`regenraotr`, ranked 17,050), no ordinary
 * npm name flagged; one more of the npm list's tail (`lodash.cond` for lodash.find). Both halves of the
 * change are needed for that one find: either alone finds nothing.
 *
 * npm only: on PyPI long names are long because they are namespaced (`alibabacloud-gateway-sls`,
 * `aws-cdk-aws-fsx`, `python-amazon-paapi`): 3 of the 2,985 names below our list were flagged, no
 * look-alike found.
 */
import type { SingleEdit } from './edit.js';

/** Names (separators removed) of at least this many letters are compared by rule 6d whatever their rank (npm). */
export const MIN_LONG_TWO_SLIP_TARGET_LENGTH = 10;

/** Whether the candidate lacks two letters side by side at the target's end (`-ts`): `first` and `second` as twoPlausibleSlips returns them. */
export function endingDropped(first: SingleEdit, second: SingleEdit, candidate: string): boolean {
  return first.kind === 'missing' && second.kind === 'missing' && first.at >= candidate.length && second.at >= candidate.length;
}
