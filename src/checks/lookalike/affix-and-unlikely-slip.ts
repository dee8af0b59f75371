/**
 * Rule 6c (an affix and one slip, `ethetsjs`) with an unlikely slip: a letter left out, added or
 * changed that is no neighbouring key, vowel or doubling (`ethesjs`: ethers without its "r", plus
 * "js"). Such a slip counts against the names rule 6 takes it for (maxRankForUnlikelyEdit), and only
 * inside the name: the first letter is the one people mistype least, and a last letter left out or
 * changed just before an affix makes another word as often as a slip (`robotjs` is not probot, nor
 * `image-js` image-q).
 */
import type { SingleEdit } from './edit.js';

/** Whether an unlikely slip (see above) from `target` is inside it: neither at its first nor at its last letter. */
export function unlikelySlipInside(edit: SingleEdit, target: string): boolean {
  return edit.at > 0 && edit.at < target.length - 1;
}
