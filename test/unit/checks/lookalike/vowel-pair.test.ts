import { describe, expect, it } from 'vitest';
import { vowelPairSimplified } from '../../../../src/checks/lookalike/vowel-pair.js';
import { buildPopularNameIndex, popularNames, singleEdit } from '../../../../src/checks/popular-names.js';

describe('a pair of vowels written as one', () => {
  it('is one vowel of two side by side left out, next to a consonant, inside a name of 7 letters or more', () => {
    expect(vowelPairSimplified(singleEdit('langage', 'language')!, 'language')).toBe(true);
    expect(vowelPairSimplified(singleEdit('grin', 'grain')!, 'grain')).toBe(false); // short
    expect(vowelPairSimplified(singleEdit('questionnair', 'questionnaire')!, 'questionnaire')).toBe(false); // the last letter
    expect(vowelPairSimplified(singleEdit('mantenance', 'maintenance')!, 'maintenance')).toBe(true);
  });
  it('finds a made-up look-alike of a name outside the top 5,000 (where an unlikely slip does not count on PyPI)', () => {
    const names = [...Array.from({ length: 6000 }, (_, i) => `filler-${i}`), 'questionnaire'];
    expect(buildPopularNameIndex('pypi', names).lookAlike('questionnare')).toEqual({ target: 'questionnaire', reason: 'one letter missing' });
  });
  it('leaves a real short word alone (grin is not grain)', () => {
    expect(popularNames('pypi').lookAlike('grin')).toBeUndefined();
  });
});
