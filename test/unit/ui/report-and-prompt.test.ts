import { describe, expect, it } from 'vitest';
import type { PackageReport } from '../../../src/core/types.js';
import { formatReports } from '../../../src/ui/format-report.js';
import { packageChoices, packageQuestionText } from '../../../src/ui/prompts.js';

const warn = { check: 'dormant-release', severity: 'warn' as const, message: 'came 650 days after 1.13.4' };
const report = (name: string, version: string | null): PackageReport => ({ name, packageName: name.split(' ')[0]!.replace(/(.)@.*$/, '$1'), version, verdict: 'warn', findings: [warn] });

describe('the report header names the version once', () => {
  it.each([
    ['object-inspect@1.14.0 (via express > qs > side-channel)', '1.14.0', 'object-inspect@1.14.0 (via express > qs > side-channel)'],
    ['object-inspect@1.14.0', '1.14.0', 'object-inspect@1.14.0'],
    ['object-inspect', '1.14.0', 'object-inspect (1.14.0)'],
  ])('%s', (name, version, header) => {
    expect(formatReports([report(name, version)], { color: false, showInfo: false }).split('\n')[0]).toBe(header);
  });
});

describe('what the package prompt offers', () => {
  const values = (...args: Parameters<typeof packageChoices>) => packageChoices(...args).map((c) => c.value);

  it('"always trust" says exactly what it trusts', () => {
    const trust = packageChoices(report('object-inspect@1.14.0 (via express > qs)', '1.14.0'), undefined, { transitive: true, trust: 'object-inspect@1.14.0' })
      .find((c) => c.value === 'install-and-trust')!;
    expect(trust.name).toBe('Install anyway and always trust object-inspect@1.14.0');
  });

  it('"install all" when more flagged packages follow', () => {
    const all = packageChoices(report('a', '1.0.0'), undefined, { others: 6 }).find((c) => c.value === 'install-all')!;
    expect(all.name).toBe('Install anyway, and the 6 other flagged packages after it too');
    expect(values(report('a', '1.0.0'), undefined, {})).not.toContain('install-all');
  });

  it('a package that cannot be installed (not found): skip, the did-you-mean or abort — never "install anyway"', () => {
    expect(values(report('lodahs', null), 'lodash', { installable: false, others: 2 })).toEqual(['substitute', 'skip', 'abort']);
  });
});

describe('the package question names what would be installed', () => {
  it('with the version, as the report above it does (the spec as typed names no version)', () => {
    expect(packageQuestionText(report('brand-new-pkg', '1.0.0'), [warn])).toBe('brand-new-pkg (1.0.0): needs a look — what should happen?');
    expect(packageQuestionText(report('cowsay@1.6.0', '1.6.0'), [{ ...warn, severity: 'block' }])).toBe('cowsay@1.6.0: flagged — what should happen?');
  });
});
