import { describe, expect, it } from 'vitest';
import { pyCores } from '../../../../src/checks/lookalike/affix-core-fame.js';
import { buildPopularNameIndex, popularNames } from '../../../../src/checks/popular-names.js';

describe('a py name as famous as its core (PyPI)', () => {
  it('takes py, py3, python, python3 off either end, the longest that fits, cores of 5 letters or more', () => {
    expect(pyCores('pytorch')).toEqual(['torch']);
    expect(pyCores('pythonwidget')).toEqual(['widget']);
    expect(pyCores('widgetpython3')).toEqual(['widget']);
    expect(pyCores('pygame')).toEqual([]); // "game" is a word
    expect(pyCores('numpy')).toEqual([]);
    expect(pyCores('requests')).toEqual([]);
  });

  it('finds PyThrch for pytorch (bundled data: pytorch ranks below 5,000, torch far above)', () => {
    expect(popularNames('pypi').lookAlike('PyThrch')).toEqual({ target: 'pytorch', reason: 'one letter changed' });
  });

  const filler = Array.from({ length: 6000 }, (_, i) => `filler-${i}`);
  it('lets an unlikely slip of a py name below the top 5,000 count when its core is above it', () => {
    expect(buildPopularNameIndex('pypi', ['widget', ...filler, 'pywidget']).lookAlike('pywqdget')).toEqual({ target: 'pywidget', reason: 'one letter changed' });
  });
  it('not when the core is no popular name, nor itself below the top 5,000', () => {
    expect(buildPopularNameIndex('pypi', [...filler, 'pywidget']).lookAlike('pywqdget')).toBeUndefined();
    expect(buildPopularNameIndex('pypi', [...filler, 'widget', 'pywidget']).lookAlike('pywqdget')).toBeUndefined();
  });
});
