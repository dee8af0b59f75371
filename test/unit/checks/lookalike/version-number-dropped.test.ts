import { describe, expect, it } from 'vitest';
import { versionNumberDropped } from '../../../../src/checks/lookalike/version-number-dropped.js';
import { buildPopularNameIndex, popularNames } from '../../../../src/checks/popular-names.js';

describe('a version digit left off a big name', () => {
  it('is one trailing digit after a word of 5 letters or more', () => {
    expect(versionNumberDropped('urllib', 'urllib3')).toBe(true);
    expect(versionNumberDropped('widgetkit', 'widgetkit2')).toBe(true);
    expect(versionNumberDropped('urllib', 'urllibs')).toBe(false); // a letter
    expect(versionNumberDropped('urllib', 'urllib33')).toBe(false); // two digits
    expect(versionNumberDropped('json', 'json5')).toBe(false); // short
    expect(versionNumberDropped('pyasn', 'pyasn1')).toBe(false); // an acronym's number (ASN.1) after "py"
  });
  it('finds urllib for urllib3 (bundled data), not pyasn for pyasn1', () => {
    expect(popularNames('pypi').lookAlike('urllib')).toEqual({ target: 'urllib3', reason: 'version number dropped' });
    expect(popularNames('pypi').lookAlike('pyasn')).toBeUndefined();
  });

  const names = (before: number): string[] => [...Array.from({ length: before }, (_, i) => `filler-${i}`), 'widgetkit2'];
  it('counts against the top 100 names only, in both registries', () => {
    expect(buildPopularNameIndex('pypi', names(10)).lookAlike('widgetkit')).toEqual({ target: 'widgetkit2', reason: 'version number dropped' });
    expect(buildPopularNameIndex('npm', names(10)).lookAlike('widgetkit')).toEqual({ target: 'widgetkit2', reason: 'version number dropped' });
    expect(buildPopularNameIndex('pypi', names(200)).lookAlike('widgetkit')).toBeUndefined();
  });
  it('never flags the unversioned name when it is popular itself (boto, mysql)', () => {
    expect(buildPopularNameIndex('pypi', ['widgetkit2', 'widgetkit']).lookAlike('widgetkit')).toBeUndefined();
  });
});
