import { describe, expect, it } from 'vitest';
import { enoughSlips, MAX_RANK_FOR_ONE_UNLIKELY_OF_TWO } from '../../../../src/checks/lookalike/two-edits-top-names.js';
import { buildPopularNameIndex, popularNames, singleEdit } from '../../../../src/checks/popular-names.js';

describe('two changes from a top-100 name, one of them a plausible slip', () => {
  const names = (before: number): string[] => [...Array.from({ length: before }, (_, i) => `filler-${i}`), 'packaging'];
  it('finds a made-up look-alike of a top name: a letter left out (unlikely) and a doubled letter', () => {
    expect(buildPopularNameIndex('pypi', names(10)).lookAlike('pakagingg')).toEqual({ target: 'packaging', reason: 'one letter added and one letter missing' });
    expect(buildPopularNameIndex('pypi', names(MAX_RANK_FOR_ONE_UNLIKELY_OF_TWO)).lookAlike('pakagingg')).toBeUndefined();
  });
  it('is PyPI only: on npm, short crowded top names made real packages look-alikes (commoner next to commander)', () => {
    expect(buildPopularNameIndex('npm', ['commander', 'filler']).lookAlike('commoner')).toBeUndefined();
  });
  it('takes two letters added together at the end for an ending, not two slips', () => {
    const added = singleEdit('packagingrs', 'packagingr')!;
    const then = singleEdit('packagingr', 'packaging')!;
    expect(enoughSlips(0, 1, added, then, 'packagingrs')).toBe(false);
    expect(enoughSlips(0, 2, added, then, 'packagingrs')).toBe(true);
  });
  it('leaves a real package alone: markdown-it-pyrs (the Rust port) is not markdown-it-py, nor is setuptools-scm flagged', () => {
    expect(buildPopularNameIndex('pypi', ['markdown-it-py']).lookAlike('markdown-it-pyrs')).toBeUndefined();
    expect(popularNames('pypi').lookAlike('setuptools-scm')).toBeUndefined();
  });
});
