import { describe, expect, it } from 'vitest';
import { fiveLetterSlipTooFar } from '../../../../src/checks/lookalike/short-name-slip.js';
import { buildPopularNameIndex } from '../../../../src/checks/popular-names.js';

describe('a plausible slip of a 5-letter PyPI name', () => {
  it('is too far from a name outside the top 5,000 unless it is a doubled letter or a swap', () => {
    expect(fiveLetterSlipTooFar(5, 6000, false)).toBe(true);
    expect(fiveLetterSlipTooFar(5, 6000, true)).toBe(false);
    expect(fiveLetterSlipTooFar(5, 10, false)).toBe(false);
    expect(fiveLetterSlipTooFar(6, 6000, false)).toBe(false);
  });

  const names = (before: number): string[] => [...Array.from({ length: before }, (_, i) => `filler-${i}`), 'qvark'];
  it('counts against the top 5,000: qvarj (a neighbouring key) for qvark', () => {
    expect(buildPopularNameIndex('pypi', names(10)).lookAlike('qvarj')).toEqual({ target: 'qvark', reason: 'one letter changed' });
  });
  it('not below it on PyPI (gower / tower, coala / coola), where a doubled letter or a swap still counts', () => {
    const pypi = buildPopularNameIndex('pypi', names(6000));
    expect(pypi.lookAlike('qvarj')).toBeUndefined();
    expect(pypi.lookAlike('qvurk')).toBeUndefined();
    expect(pypi.lookAlike('qvarkk')).toEqual({ target: 'qvark', reason: 'one letter added' });
    expect(pypi.lookAlike('qvakr')).toEqual({ target: 'qvark', reason: 'two letters swapped' });
  });
  it('leaves npm as it was (bowe for bower)', () => {
    expect(buildPopularNameIndex('npm', names(6000)).lookAlike('qvarj')).toEqual({ target: 'qvark', reason: 'one letter changed' });
  });
  it('leaves longer names as they were', () => {
    const pypi = buildPopularNameIndex('pypi', [...Array.from({ length: 6000 }, (_, i) => `filler-${i}`), 'qvarky']);
    expect(pypi.lookAlike('qvarjy')).toEqual({ target: 'qvarky', reason: 'one letter changed' });
  });
});
