import { describe, expect, it } from 'vitest';
import { isSwappableLetters, omissionApartFromSwap } from '../../../../src/checks/lookalike/swap-and-slip.js';
import { buildPopularNameIndex, singleEdit } from '../../../../src/checks/popular-names.js';

describe('two letters swapped and a letter left out apart from them (npm)', () => {
  it('swaps two different neighbouring letters, never digits', () => {
    const code = (c: string): number => c.charCodeAt(0);
    expect(isSwappableLetters(code('a'), code('b'))).toBe(true);
    expect(isSwappableLetters(code('a'), code('a'))).toBe(false);
    expect(isSwappableLetters(code('b'), code('1'))).toBe(false);
  });
  it('takes a letter left out apart from the swap, not next to it, and not a word\'s first letter', () => {
    expect(omissionApartFromSwap(singleEdit('wdgetkit', 'widgetkit')!, 5, 'widgetkit')).toBe(true); // "i" left out at 1, swap at 5
    expect(omissionApartFromSwap(singleEdit('widgtkit', 'widgetkit')!, 5, 'widgetkit')).toBe(false); // next to the swap
    expect(omissionApartFromSwap(singleEdit('widgetit', 'widgetkit')!, 1, 'widget-kit')).toBe(false); // "k" begins the word "kit"
    expect(omissionApartFromSwap(singleEdit('widgetkiit', 'widgetkit')!, 1, 'widgetkit')).toBe(false); // added, not missing
  });

  // A made-up target far down the list: rule 6d (two slips) counts only against the top 500.
  const filler = Array.from({ length: 3000 }, (_, i) => `filler-${i}`);
  const npm = buildPopularNameIndex('npm', [...filler, 'widgetkit', 'get-proto']);
  it('finds a look-alike of a long name of any rank: wdgetkti (the "i" left out, "it" typed "ti")', () => {
    expect(npm.lookAlike('wdgetkti')).toEqual({ target: 'widgetkit', reason: 'two letters swapped and one letter missing' });
  });
  it('leaves near neighbours alone: a letter changed with the swap (wudgetkti), the swap and the gap side by side (widgeitk), a word\'s first letter (getroot)', () => {
    expect(npm.lookAlike('wudgetkti')).toBeUndefined();
    expect(npm.lookAlike('widgeitk')).toBeUndefined();
    expect(npm.lookAlike('getroot')).toBeUndefined();
  });
  it('is npm only', () => {
    expect(buildPopularNameIndex('pypi', [...filler, 'widgetkit']).lookAlike('wdgetkti')).toBeUndefined();
  });
});
