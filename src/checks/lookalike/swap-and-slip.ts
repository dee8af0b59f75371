/**
 * Two letters swapped plus a letter left out elsewhere (`mogobd` for mongodb: "db" typed "bd" and
 * the "n" left out; `regenraotr` for regenerator: "to" typed "ot" and an "e" left out). Both are
 * slips of timing, the fingers of a fast typist out of step: one key struck before the other, one
 * not struck at all. Rule 6d takes two changes only against the top 500 names; this one counts
 * against the whole list (npm), for targets of MIN_SWAP_AND_SLIP_TARGET_LENGTH letters or more, when:
 *   - the swap is inside a word of 5 letters or more (acronyms are reordered on purpose: `react-dfp`);
 *   - the letter left out is apart from the swap (next to it, the two rewrite one spot, as a word's
 *     ending does: `retire` / retimer) and is not the first letter of a word of the target (the
 *     letter people mistype least: `getroot` is get + root, not get-proto);
 *   - the other change is a letter left out, not one changed or added: a letter changed together
 *     with a swap makes another word as often as a slip (`bubleify` / babelify, `compressing` /
 *     compression, `scryptsy` / scrypt-js: 3 of the 2,000 ordinary npm names and the npm list's tail).
 *
 * A swapped form of the name is then the target with one letter deleted, a key of the one-edit
 * index (rule 6): one probe a swap, hashed without building the form, no table of its own; tried
 * only when every rule before found nothing.
 */
import type { SingleEdit } from './edit.js';

/** Targets (separators removed) of at least this many letters: shorter names are one swap and one edit from too many others. */
export const MIN_SWAP_AND_SLIP_TARGET_LENGTH = 7;

/** Whether two neighbouring char codes are letters a-z that differ: a swap of them is a slip (a digit is a version). */
export function isSwappableLetters(a: number, b: number): boolean {
  return a !== b && a >= 0x61 && a <= 0x7a && b >= 0x61 && b <= 0x7a;
}

/**
 * Whether `edit` (from `targetLower`, the target with its separators, to the swapped form of the
 * candidate; positions count letters with separators removed) is a letter left out, apart from the
 * swap at `swapAt` (letters swapAt and swapAt + 1) and not the first letter of a word of the target.
 */
export function omissionApartFromSwap(edit: SingleEdit, swapAt: number, targetLower: string): boolean {
  if (edit.kind !== 'missing' || (edit.at >= swapAt - 1 && edit.at <= swapAt + 2)) return false;
  return !startsWord(targetLower, edit.at);
}

/** Whether the letter at `pos` (separators not counted) of a lower-cased name begins it or a word of it (after `-`, `_`, `.`, `/`). */
function startsWord(lower: string, pos: number): boolean {
  let n = 0;
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i];
    if (c === '-' || c === '_' || c === '.') continue;
    if (n === pos) return i === 0 || lower[i - 1] === '-' || lower[i - 1] === '_' || lower[i - 1] === '.' || lower[i - 1] === '/';
    n++;
  }
  return false;
}
