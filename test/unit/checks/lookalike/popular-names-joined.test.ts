import { describe, expect, it } from 'vitest';
import { hasExtension } from '../../../../src/checks/lookalike/popular-names-joined.js';
import { buildPopularNameIndex, popularNames } from '../../../../src/checks/popular-names.js';

describe('a popular name joined to another popular name (PyPI)', () => {
  it('tells a name other popular names begin with, a version number aside', () => {
    const sorted = ['beautifulsoup', 'beautifulsoup4', 'flask', 'flaskcors', 'flasksqlalchemy', 'numpy'];
    expect(hasExtension(sorted, 'beautifulsoup')).toBe(false);
    expect(hasExtension(sorted, 'flask')).toBe(true);
    expect(hasExtension(sorted, 'numpy')).toBe(false);
    expect(hasExtension(sorted, 'zzz')).toBe(false);
  });

  it('warns about beautifulsoup-requests and beautifulsoup-numpy, naming beautifulsoup4 (bundled data)', () => {
    const pypi = popularNames('pypi');
    expect(pypi.lookAlike('beautifulsoup-requests')).toEqual({
      target: 'beautifulsoup4',
      reason: 'a popular name plus the popular name "requests", from "beautifulsoup", an older name of the series',
      weak: true,
    });
    expect(pypi.lookAlike('beautifulsoup-numpy')?.target).toBe('beautifulsoup4');
  });
  it('leaves plugins of a host alone: flask-orjson, pytest-click, django-celery, requests-oauthlib-style names', () => {
    const pypi = popularNames('pypi');
    for (const name of ['flask-orjson', 'pytest-click', 'django-celery', 'torch-tensorrt', 'nbdev-numpy']) expect(pypi.lookAlike(name)).toBeUndefined();
  });

  const filler = (n: number): string[] => Array.from({ length: n }, (_, i) => `filler-${i}`);
  it('takes two names of the top 1,000, the first extended by no popular name', () => {
    expect(buildPopularNameIndex('pypi', ['widgetkit', 'gadgetlib']).lookAlike('widgetkit-gadgetlib')).toEqual({
      target: 'widgetkit',
      reason: 'a popular name plus the popular name "gadgetlib"',
      weak: true,
    });
    expect(buildPopularNameIndex('pypi', ['widgetkit', 'gadgetlib', 'widgetkit-extras']).lookAlike('widgetkit-gadgetlib')).toBeUndefined();
    expect(buildPopularNameIndex('pypi', [...filler(1000), 'widgetkit', 'gadgetlib']).lookAlike('widgetkit-gadgetlib')).toBeUndefined();
    expect(buildPopularNameIndex('pypi', ['widgetkit', 'gadgets']).lookAlike('widgetkit-gadget')).toBeUndefined();
  });
  it('takes a name glued without a separator to a host of plugins for the second name (torchtriton → triton)', () => {
    expect(popularNames('pypi').lookAlike('torchtriton')).toEqual({ target: 'triton', reason: 'a popular name plus the popular name "torch"', weak: true });
    // With a separator it is the shape of a plugin's name: left alone.
    expect(popularNames('pypi').lookAlike('torch-triton')).toBeUndefined();
    const hostAndPlugin = ['widgetkit', 'widgetkit-extras', 'gadgetlib'];
    expect(buildPopularNameIndex('pypi', hostAndPlugin).lookAlike('widgetkitgadgetlib')).toEqual({ target: 'gadgetlib', reason: 'a popular name plus the popular name "widgetkit"', weak: true });
    expect(buildPopularNameIndex('pypi', hostAndPlugin).lookAlike('widgetkit-gadgetlib')).toBeUndefined();
  });
  it('is not an npm rule (cross-spawn-async)', () => {
    expect(buildPopularNameIndex('npm', ['widgetkit', 'gadgetlib']).lookAlike('widgetkit-gadgetlib')).toBeUndefined();
  });
});
