import { describe, expect, it } from 'vitest';
import { lastLetterChanged } from '../../../../src/checks/lookalike/last-letter-changed.js';
import { buildPopularNameIndex, popularNames, singleEdit } from '../../../../src/checks/popular-names.js';

describe('the last letter of a PyPI name changed (an unlikely slip)', () => {
  it('is a change of the last letter only', () => {
    expect(lastLetterChanged(singleEdit('widgetkiq', 'widgetkit')!, 'widgetkit')).toBe(true);
    expect(lastLetterChanged(singleEdit('widgqtkit', 'widgetkit')!, 'widgetkit')).toBe(false);
    expect(lastLetterChanged(singleEdit('widgetkitq', 'widgetkit')!, 'widgetkit')).toBe(false);
  });

  const names = (before: number): string[] => [...Array.from({ length: before }, (_, i) => `filler-${i}`), 'widgetkit'];
  it('counts against the top 1,000 (cryptographz for cryptography)', () => {
    expect(buildPopularNameIndex('pypi', names(10)).lookAlike('widgetkiq')).toEqual({ target: 'widgetkit', reason: 'one letter changed' });
    expect(popularNames('pypi').lookAlike('cryptographz')).toEqual({ target: 'cryptography', reason: 'one letter changed' });
  });
  it('not against a name ranked past it (questo / quests, jaxlie / jaxlib), while an unlikely change inside still counts to the top 5,000', () => {
    const pypi = buildPopularNameIndex('pypi', names(2000));
    expect(pypi.lookAlike('widgetkiq')).toBeUndefined();
    expect(pypi.lookAlike('widgqtkit')).toEqual({ target: 'widgetkit', reason: 'one letter changed' });
  });
});
