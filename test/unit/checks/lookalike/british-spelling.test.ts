import { describe, expect, it } from 'vitest';
import { americanSpellings } from '../../../../src/checks/lookalike/british-spelling.js';
import { buildPopularNameIndex, popularNames } from '../../../../src/checks/popular-names.js';

describe('British spelling', () => {
  it('makes the British endings American, one kind at a time, and leaves other words alone', () => {
    expect(americanSpellings('colour-analyse')).toEqual(['color-analyse', 'colour-analyze']);
    expect(americanSpellings('centre-catalogue')).toEqual(['center-catalogue', 'centre-catalog']);
    for (const word of ['source', 'your-four-tours', 'promise', 'enterprise', 'centres']) expect(americanSpellings(word)).toEqual([]);
  });
  it('finds a made-up look-alike: the British spelling of a popular name, or of a slip of one', () => {
    const index = buildPopularNameIndex('pypi', ['requests', 'widget-colorizer', 'widget-catalog']);
    expect(index.lookAlike('widget-catalogue')).toEqual({ target: 'widget-catalog', reason: 'British spelling' });
    expect(index.lookAlike('widget-colourizre')).toEqual({ target: 'widget-colorizer', reason: 'British spelling, two letters swapped' });
  });
  it('leaves a real British-spelled package alone (colour on npm, next to color), and a British word that imitates nothing (flavour)', () => {
    expect(popularNames('npm').lookAlike('colour')).toBeUndefined();
    expect(popularNames('npm').lookAlike('flavour')).toBeUndefined();
  });
});
