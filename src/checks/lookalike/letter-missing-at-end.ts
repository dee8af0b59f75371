/**
 * npm: the last letter of a 5-letter name left out (`bowe` for bower): the typing stopped one key
 * early, the mirror of the stray key struck after the last letter (letter-added-at-end.ts). Rule 6
 * counts an unlikely slip of a 5-letter name only against the top 1,000 (names that short are
 * crowded; maxRankForUnlikelyEdit), and any letter left out of a longer name against the whole
 * list; this one lets the last letter of a 5-letter name count against the whole list too. The
 * other guards of rule 6 still hold: a 4-letter word that popular names use is a word, not a slip
 * (`temp` is not tempy, `ansi` not ansis), and a digit left off names a series (`from` / from2).
 *
 * Measured 2026-12-01: no more flags among the 2,000 ordinary npm names nor the 8,000 of the npm
 * list's tail. Not on PyPI: its false-flag budget is spent, and there an unlikely slip counts only
 * against the top 5,000 at any length.
 */
import type { SingleEdit } from './edit.js';

/** Whether `edit` (from `target` to the candidate, separators removed) leaves out the target's last letter (a-z). */
export function letterMissingAtEnd(edit: SingleEdit, target: string): boolean {
  return edit.kind === 'missing' && edit.at === target.length - 1 && edit.targetChar >= 'a' && edit.targetChar <= 'z';
}
