import { describe, expect, it } from 'vitest';
import { otherSpellings } from '../../../../src/checks/lookalike/abbreviation-spelled-out.js';
import { buildPopularNameIndex, popularNames } from '../../../../src/checks/popular-names.js';

describe('a popular name with its last word abbreviated or spelled out', () => {
  it('spells the last word out, or abbreviates it, after a core of 4 letters or more', () => {
    expect(otherSpellings('fairsequence')).toContain('fairseq');
    expect(otherSpellings('fairseq')).toContain('fairsequence');
    expect(otherSpellings('imagelib')).toContain('imagelibrary');
    // `seq` alone, or after 3 letters, is a word of its own.
    expect(otherSpellings('abcsequence')).toEqual([]);
    expect(otherSpellings('sequence')).toEqual([]);
    // Only at the end of the name.
    expect(otherSpellings('seqtools')).toEqual([]);
  });

  it('warns about fairsequence, naming fairseq (bundled PyPI data)', () => {
    expect(popularNames('pypi').lookAlike('fairsequence')).toEqual({ target: 'fairseq', reason: 'its last word spelled differently ("fairseq")', weak: true });
  });

  it('applies on npm too, both ways, and never to a popular name itself', () => {
    expect(buildPopularNameIndex('npm', ['widgetlib']).lookAlike('widget-library')).toMatchObject({ target: 'widgetlib', weak: true });
    expect(buildPopularNameIndex('npm', ['gadget-library']).lookAlike('gadgetlib')).toMatchObject({ target: 'gadget-library', weak: true });
    expect(buildPopularNameIndex('npm', ['widgetlib', 'widget-library']).lookAlike('widget-library')).toBeUndefined();
    expect(buildPopularNameIndex('npm', ['widgetlib']).lookAlike('widget-libraries')).toBeUndefined();
  });
});
