/**
 * A letter added after the last letter of a long PyPI name (`fairseqn` for fairseq, `pytorchc` for
 * pytorch): a key struck once more at the end of the word, the place a stray keystroke lands when
 * the typing stops. Rule 6 on PyPI counts an unlikely slip (no neighbouring key, vowel or doubling)
 * only against the top 5,000 names (maxRankForUnlikelyEdit); this one counts against the whole list
 * when the target has MIN_LETTER_ADDED_AT_END_LENGTH letters or more, as npm's rule 6 already counts
 * any added letter of a name of 6 letters or more. The first letter is the opposite end: the one
 * people mistype least (top 1,000 there).
 *
 * Not two letters (`markdown-it-pyrs`: an ending of its own, see two-edits-top-names.ts), and not a
 * digit (`mysql2`: a series). Measured on the 2,985 names below our PyPI list: one more flagged
 * (`xunitparserx`), for two look-alikes found.
 */
import type { SingleEdit } from './edit.js';

/** Targets (separators removed) of at least this many letters: shorter names take a letter at the end as a word of their own (`flaskr`). */
export const MIN_LETTER_ADDED_AT_END_LENGTH = 7;

/** Whether `edit` (from `target` to `candidate`, separators removed) adds one letter after the target's last letter, in a long name. */
export function letterAddedAtEnd(edit: SingleEdit, candidate: string, target: string): boolean {
  return edit.kind === 'added' && edit.at === candidate.length - 1 && target.length >= MIN_LETTER_ADDED_AT_END_LENGTH && /[a-z]/.test(edit.candidateChar);
}
