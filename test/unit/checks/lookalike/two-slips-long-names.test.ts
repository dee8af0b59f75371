import { describe, expect, it } from 'vitest';
import { endingDropped, MIN_LONG_TWO_SLIP_TARGET_LENGTH } from '../../../../src/checks/lookalike/two-slips-long-names.js';
import { buildPopularNameIndex, twoPlausibleSlips } from '../../../../src/checks/popular-names.js';

describe('two plausible slips from a long npm name, whatever its rank', () => {
  // A made-up long name ranked far below the top 500 that rule 6d compares otherwise.
  const names = (name: string): string[] => [...Array.from({ length: 3000 }, (_, i) => `filler-${i}`), name];

  it('finds a made-up look-alike: a vowel left out between consonants and two letters swapped (wigdetframwork)', () => {
    expect(buildPopularNameIndex('npm', names('widgetframework')).lookAlike('wigdetframwork')).toEqual({ target: 'widgetframework', reason: 'one letter missing and two letters swapped' });
  });

  it('leaves shorter names below the top 500 alone (9 letters: widgetkit)', () => {
    expect(MIN_LONG_TWO_SLIP_TARGET_LENGTH).toBe(10);
    expect(buildPopularNameIndex('npm', names('widgetkits')).lookAlike('widgtekts')?.target).toBe('widgetkits'); // 10 letters
    expect(buildPopularNameIndex('npm', names('widgetkit')).lookAlike('widgtekt')).toBeUndefined(); // 9 letters
  });

  it('takes the target without two letters of its end for the original, not a look-alike (oidc-client, oidc-client-ts)', () => {
    const [last, first] = twoPlausibleSlips('oidcclient', 'oidcclientts')!;
    expect(endingDropped(last, first, 'oidcclient')).toBe(true);
    expect(buildPopularNameIndex('npm', names('oidc-client-ts')).lookAlike('oidc-client')).toBeUndefined();
  });

  it('is npm only: on PyPI long names are namespaced ones (aws-cdk-aws-fsx next to aws-cdk-aws-efs)', () => {
    expect(buildPopularNameIndex('pypi', names('widgetframework')).lookAlike('wigdetframwork')).toBeUndefined();
  });
});
