import { describe, expect, it } from 'vitest';
import { unlikelySlipInside } from '../../../../src/checks/lookalike/affix-and-unlikely-slip.js';
import { buildPopularNameIndex, popularNames, singleEdit } from '../../../../src/checks/popular-names.js';

describe('an affix and an unlikely slip', () => {
  it('counts a slip inside the name only, not at its first or last letter', () => {
    expect(unlikelySlipInside(singleEdit('expess', 'express')!, 'express')).toBe(true);
    expect(unlikelySlipInside(singleEdit('robot', 'probot')!, 'probot')).toBe(false);
    expect(unlikelySlipInside(singleEdit('image', 'imageq')!, 'imageq')).toBe(false);
  });

  const npm = popularNames('npm');
  it('finds a made-up look-alike: an affix and a letter left out inside the name (expess-js)', () => {
    expect(npm.lookAlike('expess-js')).toEqual({ target: 'express', reason: 'extra "js" suffix, one letter missing' });
  });
  it('leaves a real package alone whose slip would be at the first letter (robotjs is not probot)', () => {
    expect(npm.lookAlike('robotjs')).toBeUndefined();
  });
  it('takes an unlikely substitution for the names rule 6 takes it for only (top 10,000)', () => {
    const names = (before: number): string[] => [...Array.from({ length: before }, (_, i) => `filler-${i}`), 'widgetkit'];
    expect(buildPopularNameIndex('npm', names(10)).lookAlike('widqetkitjs')?.target).toBe('widgetkit');
    expect(buildPopularNameIndex('npm', names(10_000)).lookAlike('widqetkitjs')).toBeUndefined();
  });
});
