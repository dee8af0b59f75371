/**
 * British spellings of American ones (`colourama` for colorama, `analyse-x` for analyze-x): the
 * same word as people say it, and a squatter's way to a name that is free. Only the endings that
 * mark a word as British and leave no other reading: `-our` after a consonant (colour, flavour,
 * behaviour; not `four`, `your`, `source`, `tour`), `-yse` (analyse, paralyse), `-tre` after a
 * consonant at a word's end (centre, metre) and `-logue` (catalogue, dialogue). Not `-ise`: it
 * ends too many words of its own (`promise`, `enterprise`, `noise`).
 *
 * The matcher folds each spelling to the American one and asks the other rules about the result:
 * a popular name exactly, or a slip of one (`colouramas`: colorama plus an "s").
 */

const BRITISH_ENDINGS: readonly [RegExp, string][] = [
  [/([bdlmnprv])our/g, '$1or'],
  [/yse/g, 'yze'],
  [/([bcdfgklmnpstvz])tre(?![a-z])/g, '$1ter'],
  [/logue/g, 'log'],
];

const ANY_BRITISH_ENDING = /our|yse|tre|logue/;

/** The name with each kind of British spelling in it made American, one kind at a time (lower-cased input). */
export function americanSpellings(lower: string): string[] {
  if (!ANY_BRITISH_ENDING.test(lower)) return []; // the common case, in one test
  const out: string[] = [];
  for (const [british, american] of BRITISH_ENDINGS) {
    const folded = lower.replace(british, american);
    if (folded !== lower) out.push(folded);
  }
  return out;
}
