import { describe, expect, it } from 'vitest';
import { numberChangedAway, trailingNumber } from '../../../../src/checks/lookalike/number-changed.js';
import { buildPopularNameIndex, popularNames } from '../../../../src/checks/popular-names.js';

describe('number changed', () => {
  it('splits a name ending in a number after a letter', () => {
    expect(trailingNumber('web3')).toEqual({ stem: 'web', digits: '3' });
    expect(trailingNumber('jssha256')).toEqual({ stem: 'jssha', digits: '256' });
    expect(trailingNumber('web')).toBeUndefined();
    expect(trailingNumber('2048')).toBeUndefined();
  });
  it('takes a number away from the series, of as many digits, for a change; a neighbour is the previous or next major', () => {
    expect(numberChangedAway('7', '3')).toBe(true);
    expect(numberChangedAway('4', '5')).toBe(false);
    expect(numberChangedAway('3', '3')).toBe(false);
    expect(numberChangedAway('2015', '5')).toBe(false);
  });

  const npm = popularNames('npm');
  it('warns about a made-up name with the number changed (web7 for web3)', () => {
    expect(npm.lookAlike('web7')).toEqual({ target: 'web3', reason: 'number changed ("7" for "3")', weak: true });
  });
  it('leaves the previous major of a real series alone (ckeditor4 next to ckeditor5)', () => {
    expect(npm.lookAlike('ckeditor4')).toBeUndefined();
  });
  it('counts against the top 10,000 names only, and on npm only', () => {
    const names = (before: number): string[] => [...Array.from({ length: before }, (_, i) => `filler-${i}`), 'widgetkit3'];
    expect(buildPopularNameIndex('npm', names(10)).lookAlike('widgetkit8')?.target).toBe('widgetkit3');
    expect(buildPopularNameIndex('npm', names(10_000)).lookAlike('widgetkit8')).toBeUndefined();
    expect(buildPopularNameIndex('pypi', names(10)).lookAlike('widgetkit8')).toBeUndefined();
  });
});
