/**
 * PyPI: the last letter of a name changed to one that is no neighbouring key or vowel (`questo` for
 * quests, `jaxlie` for jaxlib) counts as the first letter does, against the top 1,000 names only
 * (maxRankForUnlikelyEdit), not the top 5,000. A word's ending is where another word is made (a
 * plural, a suffix, another language's word), as its first letter is the one people mistype least;
 * the ends of a name are where an unlikely change is a different name more often than a slip. The
 * look-alikes of big names still count (`cryptographz` for cryptography, `pandar` for pandas).
 *
 * PyPI only, as the first-letter bar it mirrors: npm counts any unlikely letter changed against its
 * top 10,000. Measured on the 2,985 names below our PyPI list: 2 fewer flagged, no labelled
 * look-alike lost.
 */
import type { SingleEdit } from './edit.js';

/** Whether `edit` (from `target`, separators removed) changes the target's last letter. */
export function lastLetterChanged(edit: SingleEdit, target: string): boolean {
  return edit.kind === 'changed' && edit.at === target.length - 1;
}
