import { describe, expect, it } from 'vitest';
import { letterMissingAtEnd } from '../../../../src/checks/lookalike/letter-missing-at-end.js';
import { buildPopularNameIndex, singleEdit } from '../../../../src/checks/popular-names.js';

describe('the last letter of a 5-letter npm name left out', () => {
  it('is the last letter missing, not one inside, not a digit', () => {
    expect(letterMissingAtEnd(singleEdit('plon', 'plonk')!, 'plonk')).toBe(true);
    expect(letterMissingAtEnd(singleEdit('plnk', 'plonk')!, 'plonk')).toBe(false); // inside
    expect(letterMissingAtEnd(singleEdit('plonk', 'plonk3')!, 'plonk3')).toBe(false); // a series number
    expect(letterMissingAtEnd(singleEdit('plonkx', 'plonk')!, 'plonk')).toBe(false); // added, not missing
  });

  // Made-up 5-letter targets ranked below the top 1,000, where an unlikely slip of a 5-letter name does not count.
  const filler = Array.from({ length: 1500 }, (_, i) => `filler-${i}`);
  const npm = buildPopularNameIndex('npm', [...filler, 'plonk', 'tempo', 'temp-dir', 'temp-write', 'temp-file']);
  it('finds a look-alike of a 5-letter name outside the top 1,000: plon', () => {
    expect(npm.lookAlike('plon')).toEqual({ target: 'plonk', reason: 'one letter missing' });
  });
  it('leaves a letter left out inside the name alone there (ponk), and a word popular names use (temp)', () => {
    expect(npm.lookAlike('ponk')).toBeUndefined();
    expect(npm.lookAlike('temp')).toBeUndefined();
  });
  it('is npm only: on PyPI the same name is left alone', () => {
    expect(buildPopularNameIndex('pypi', [...filler, 'plonk']).lookAlike('plon')).toBeUndefined();
  });
});
