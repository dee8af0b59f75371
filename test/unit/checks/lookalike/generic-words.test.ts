import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../../src/config/settings.js';
import { GENERIC_WORDS, genericWordsRemoved } from '../../../../src/checks/lookalike/generic-words.js';
import { buildPopularNameIndex, popularNames } from '../../../../src/checks/popular-names.js';
import { typosquat } from '../../../../src/checks/typosquat.js';

describe('generic words (combosquats)', () => {
  it('cuts generic words from either end, fewest first, inner separators kept', () => {
    expect(genericWordsRemoved('node-left-pad-lite')).toEqual([
      { core: 'node-left-pad', removed: ['lite'] },
      { core: 'left-pad-lite', removed: ['node'] },
      { core: 'left-pad', removed: ['node', 'lite'] },
    ]);
    expect(genericWordsRemoved('chalk')).toEqual([]);
    expect(genericWordsRemoved('js-node')).toEqual([{ core: 'js', removed: ['node'] }, { core: 'node', removed: ['js'] }]);
    expect(genericWordsRemoved('@scope/x-lite')).toEqual([]);
  });
  it('holds words that name a feature or another tool out of the vocabulary', () => {
    for (const word of ['retry', 'typescript', 'react', 'plugin', 'loader', 'utils', 'core', 'client']) expect(GENERIC_WORDS.has(word)).toBe(false);
  });

  const npm = popularNames('npm');
  it('warns about a made-up popular name plus generic words, naming the popular one', () => {
    expect(npm.lookAlike('express-official-lite')).toEqual({ target: 'express', reason: 'a popular name plus the generic words "official" and "lite"', weak: true });
    const ctx = { now: new Date('2026-11-01T00:00:00Z'), thresholds: defaultSettings.thresholds, popular: npm };
    expect(typosquat.run({ ecosystem: 'npm', name: 'express-official-lite', requested: 'express-official-lite', source: 'registry' }, ctx)).toEqual([
      { check: 'typosquat', severity: 'warn', message: '"express-official-lite" looks like the popular package "express" (a popular name plus the generic words "official" and "lite")', didYouMean: 'express' },
    ]);
  });
  it('leaves a real plugin alone: its word names a feature (eslint-config-airbnb-typescript), and popular names never fire (node-fetch)', () => {
    expect(npm.lookAlike('eslint-config-airbnb-typescript')).toBeUndefined();
    expect(npm.lookAlike('node-fetch')).toBeUndefined();
  });
  it('counts against the top 5,000 names only', () => {
    const names = (before: number): string[] => [...Array.from({ length: before }, (_, i) => `filler-${i}`), 'widgetkit'];
    expect(buildPopularNameIndex('npm', names(10)).lookAlike('widgetkit-pro')?.target).toBe('widgetkit');
    expect(buildPopularNameIndex('npm', names(5000)).lookAlike('widgetkit-pro')).toBeUndefined();
    expect(buildPopularNameIndex('pypi', names(10)).lookAlike('widgetkit-pro')).toBeUndefined();
  });
  it('on PyPI takes two generic words or more: one is how an edition is named there (django-compat, tensorflow-macos)', () => {
    const names = ['filler', 'widgetkit'];
    expect(buildPopularNameIndex('pypi', names).lookAlike('widgetkit-macos')).toBeUndefined();
    expect(buildPopularNameIndex('pypi', names).lookAlike('widgetkit-darwin-lite')).toEqual({
      target: 'widgetkit',
      reason: 'a popular name plus the generic words "darwin" and "lite"',
      weak: true,
    });
  });
});
