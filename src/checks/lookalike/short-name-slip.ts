/**
 * PyPI: a plausible slip of a 5-letter name (a neighbouring key, a vowel for a vowel: `gower` /
 * tower, `coala` / coola, `pyavm` / py-evm) counts only against the top
 * MAX_PYPI_RANK_FOR_FIVE_LETTER_SLIPS names. At five letters a neighbouring key or another vowel
 * makes another short word or acronym as often as a slip, so only the gap between a big name and a
 * name outside the list says which one was meant. The top 5,000 is the bar PyPI already sets for an
 * unlikely slip of a longer name (about the top 1% of its projects, as npm's whole list is of npm's):
 * the commonest slips (a doubled letter, a swap) still count against the whole list, as for npm.
 *
 * PyPI only: on npm, squats of 5-letter names below its top 5,000 are real (`bowe`, `bowee` for
 * bower, `bp66` for bip66 in the labelled pairs), and npm's sample of ordinary names shows no such
 * false flag. Measured on the 2,985 names below our PyPI list: 4 fewer flagged, no labelled
 * look-alike lost.
 */

/** A plausible but not commonest slip of a 5-letter PyPI name counts only against names this popular (rank). */
export const MAX_PYPI_RANK_FOR_FIVE_LETTER_SLIPS = 5_000;

/** The length (separators removed) this rule is about. */
export const FIVE_LETTERS = 5;

/**
 * Whether a slip from a PyPI name of `targetLength` letters at `rank` is too far from a big name to
 * count: a 5-letter name outside the top MAX_PYPI_RANK_FOR_FIVE_LETTER_SLIPS, and a slip that is not
 * one of the commonest (`commonest`: a doubled letter or two letters swapped).
 */
export function fiveLetterSlipTooFar(targetLength: number, rank: number, commonest: boolean): boolean {
  return targetLength === FIVE_LETTERS && !commonest && rank >= MAX_PYPI_RANK_FOR_FIVE_LETTER_SLIPS;
}
