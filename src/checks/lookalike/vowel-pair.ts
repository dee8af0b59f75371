/**
 * A pair of vowels written as one (`acqusition` for acquisition, `langage` for
 * language): a spelling slip, not a different name. Rule 6 takes it for a plausible slip (as it takes
 * a doubled letter typed once) in names of MIN_VOWEL_PAIR_TARGET_LENGTH letters or more: in short names
 * a vowel less is as often another word (`grin` / `grain`). `y` is neither vowel nor consonant here:
 * it is either as often.
 */
import type { SingleEdit } from './edit.js';

/** Targets (separators removed) of at least this many letters. */
export const MIN_VOWEL_PAIR_TARGET_LENGTH = 7;

const PAIR_VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/** A letter that is no vowel, `y` left out (a vowel as often: `pyro`, `bytes`). */
function isConsonant(c: string | undefined): boolean {
  return c !== undefined && c >= 'a' && c <= 'z' && c !== 'y' && !PAIR_VOWELS.has(c);
}

/** Whether `edit` (from `target`) leaves out one vowel of two side by side, next to a consonant, inside the name. */
export function vowelPairSimplified(edit: SingleEdit, target: string): boolean {
  const { kind, at, targetChar: t } = edit;
  if (kind !== 'missing' || target.length < MIN_VOWEL_PAIR_TARGET_LENGTH || !PAIR_VOWELS.has(t) || at === 0 || at >= target.length - 1) return false;
  const before = target[at - 1];
  const after = target[at + 1];
  return (PAIR_VOWELS.has(before) && isConsonant(after)) || (PAIR_VOWELS.has(after) && isConsonant(before));
}
