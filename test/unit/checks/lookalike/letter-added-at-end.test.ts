import { describe, expect, it } from 'vitest';
import { letterAddedAtEnd } from '../../../../src/checks/lookalike/letter-added-at-end.js';
import { buildPopularNameIndex, singleEdit } from '../../../../src/checks/popular-names.js';

describe('a letter added after the last letter of a long PyPI name', () => {
  it('is one letter added at the very end of a name of 7 letters or more, not a digit', () => {
    expect(letterAddedAtEnd(singleEdit('widgetkitq', 'widgetkit')!, 'widgetkitq', 'widgetkit')).toBe(true);
    expect(letterAddedAtEnd(singleEdit('widgqetkit', 'widgetkit')!, 'widgqetkit', 'widgetkit')).toBe(false); // inside
    expect(letterAddedAtEnd(singleEdit('flaskq', 'flask')!, 'flaskq', 'flask')).toBe(false); // short
    expect(letterAddedAtEnd(singleEdit('widgetkit2', 'widgetkit')!, 'widgetkit2', 'widgetkit')).toBe(false); // a series
  });

  // A made-up target ranked below the top 5,000, where an unlikely slip does not count on PyPI.
  const names = [...Array.from({ length: 6000 }, (_, i) => `filler-${i}`), 'widgetkit'];
  const pypi = buildPopularNameIndex('pypi', names);
  it('finds a look-alike of a name outside the top 5,000: widgetkitq', () => {
    expect(pypi.lookAlike('widgetkitq')).toEqual({ target: 'widgetkit', reason: 'one letter added' });
  });
  it('still leaves an unlikely letter added inside the name alone there (widgqetkit)', () => {
    expect(pypi.lookAlike('widgqetkit')).toBeUndefined();
  });
});
