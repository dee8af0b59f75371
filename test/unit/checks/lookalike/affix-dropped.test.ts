import { describe, expect, it } from 'vitest';
import { affixDroppedCores, MIN_AFFIX_DROPPED_CORE_LENGTH } from '../../../../src/checks/lookalike/affix-dropped.js';
import { buildPopularNameIndex, popularNames } from '../../../../src/checks/popular-names.js';

describe('a popular name without its affix word, with one slip', () => {
  it('cuts a leading or trailing affix word that stands apart, `javascript` included, from names long enough', () => {
    expect(affixDroppedCores('serialize-javascript')).toEqual([{ core: 'serialize', dropped: '"javascript" suffix' }]);
    expect(affixDroppedCores('node-fetch-native')).toEqual([{ core: 'fetchnative', dropped: '"node" prefix' }]);
    expect(affixDroppedCores('webpack-cli')).toEqual([]); // no affix at either end
    expect(affixDroppedCores('nodemon')).toEqual([]); // `node` is not a word of it
    expect(affixDroppedCores('pusher-js')).toEqual([]); // `pusher` is shorter than MIN_AFFIX_DROPPED_CORE_LENGTH
    expect(MIN_AFFIX_DROPPED_CORE_LENGTH).toBe(7);
  });

  it('finds a made-up look-alike: the affix left out and a letter doubled (widgetkitt for widgetkit-js)', () => {
    const index = buildPopularNameIndex('npm', ['filler', 'widgetkit-js']);
    expect(index.lookAlike('widgetkitt')).toEqual({ target: 'widgetkit-js', reason: '"js" suffix left out, one letter added' });
    expect(index.lookAlike('wigdetkit')).toEqual({ target: 'widgetkit-js', reason: '"js" suffix left out, two letters swapped' });
  });

  it('leaves the bare name alone: it is as often the original the affixed package is a client of (`livereload`, livereload-js)', () => {
    expect(buildPopularNameIndex('npm', ['livereload-js']).lookAlike('livereload')).toBeUndefined();
    expect(popularNames('npm').lookAlike('pusher')).toBeUndefined();
  });

  it('takes no unlikely slip (a letter changed that is no neighbouring key, vowel or doubling)', () => {
    expect(buildPopularNameIndex('npm', ['widgetkit-js']).lookAlike('widgetkiq')).toBeUndefined();
  });

  it('is npm only: on PyPI the bare name is the project python-x binds (`whois`, python-whois)', () => {
    expect(buildPopularNameIndex('pypi', ['python-widgetkit']).lookAlike('widgetkitt')).toBeUndefined();
  });
});
