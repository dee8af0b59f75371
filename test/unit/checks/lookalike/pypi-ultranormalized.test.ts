import { describe, expect, it } from 'vitest';
import { sameToPypi, ultranormalize } from '../../../../src/checks/lookalike/pypi-ultranormalized.js';
import { buildPopularNameIndex, popularNames } from '../../../../src/checks/popular-names.js';

describe("names PyPI would not register (ultranormalization)", () => {
  it('folds separators, l and i to 1, o to 0, as PyPI does', () => {
    expect(ultranormalize('torch-summary')).toBe('t0rchsummary');
    expect(ultranormalize('pytest-mpi')).toBe(ultranormalize('pytest-mpl'));
    expect(sameToPypi('humanreadable', 'humanreadable')).toBe(true);
    expect(sameToPypi('pytestmpi', 'pytestmpl')).toBe(true);
    expect(sameToPypi('reqeusts', 'requests')).toBe(false);
    expect(sameToPypi('requestss', 'requests')).toBe(false);
  });

  const names = (before: number): string[] => [...Array.from({ length: before }, (_, i) => `filler-${i}`), 'widget-kit'];
  it('still finds a separator or look-alike variant of a top-5,000 name (a user typo, a squat of the old days)', () => {
    expect(buildPopularNameIndex('pypi', names(10)).lookAlike('widgetkit')).toEqual({ target: 'widget-kit', reason: 'separator missing' });
    expect(buildPopularNameIndex('pypi', names(10)).lookAlike('widget-klt')).toEqual({ target: 'widget-kit', reason: 'look-alike characters' });
    expect(popularNames('pypi').lookAlike('setup-tools')).toEqual({ target: 'setuptools', reason: 'different separators' });
  });
  it('leaves such a variant of a name below the top 5,000 alone on PyPI (torch-summary, human-readable), not on npm', () => {
    expect(buildPopularNameIndex('pypi', names(6000)).lookAlike('widgetkit')).toBeUndefined();
    expect(buildPopularNameIndex('pypi', names(6000)).lookAlike('widget-klt')).toBeUndefined();
    expect(buildPopularNameIndex('npm', names(6000)).lookAlike('widgetkit')).toEqual({ target: 'widget-kit', reason: 'separator missing' });
  });
  it('still flags a slip that PyPI would register (a letter changed that is no look-alike)', () => {
    expect(buildPopularNameIndex('pypi', names(6000)).lookAlike('widget-kot')).toEqual({ target: 'widget-kit', reason: 'one letter changed' });
  });
});
