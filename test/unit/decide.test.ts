import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import type { Finding, PackageReport, Severity } from '../../src/core/types.js';

const f = (check: string, severity: Severity, didYouMean?: string): Finding => ({ check, severity, message: `${check} message`, ...(didYouMean ? { didYouMean } : {}) });
const report = (name: string, ...findings: Finding[]): PackageReport => ({
  name, packageName: name.replace(/@[^@]*$/, '') || name, version: '1.0.0', findings,
  verdict: findings.some((x) => x.severity === 'block') ? 'block' : findings.some((x) => x.severity === 'warn') ? 'warn' : 'ok',
});

const clean = report('clean', f('install-scripts', 'info'));
const fresh = report('fresh', f('new-version', 'warn'));
const squat = report('lodahs', f('typosquat', 'block', 'lodash'));
const missing = report('nope', f('not-found', 'block'));
const unverified = report('flaky', f('could-not-verify', 'block'));

type Row = [string, PackageReport[], { trusted?: string[]; interactive?: boolean; yes?: boolean }, string];
const rows: Row[] = [
  ['info only proceeds', [clean], {}, 'proceed'],
  ['warn, no tty → 66', [fresh], {}, 'stop:66'],
  ['warn, no tty, --safe-yes → proceed', [fresh], { yes: true }, 'proceed'],
  ['warn, no tty, trusted → proceed', [fresh], { trusted: ['fresh'] }, 'proceed'],
  ['warn, tty → ask', [fresh], { interactive: true }, 'ask:fresh'],
  ['warn, tty, --safe-yes → proceed', [fresh], { interactive: true, yes: true }, 'proceed'],
  ['block, no tty → 65', [squat], {}, 'stop:65'],
  ['block, no tty, --safe-yes still 65', [squat], { yes: true }, 'stop:65'],
  ['block, tty → ask', [squat], { interactive: true }, 'ask:lodahs'],
  ['typosquat on a trusted name → proceed', [squat], { trusted: ['lodahs'] }, 'proceed'],
  ['not found is never accepted by trust', [missing], { trusted: ['nope'], yes: true }, 'stop:65'],
  ['could not verify, no tty → 68', [unverified], {}, 'stop:68'],
  ['could not verify + typosquat → 65', [unverified, squat], {}, 'stop:65'],
  ['could not verify is never accepted by trust', [unverified], { trusted: ['flaky'], yes: true }, 'stop:68'],
  ['could not verify, tty → ask', [unverified], { interactive: true }, 'ask:flaky'],
  ['mixed: only flagged packages are asked about', [clean, fresh, squat], { interactive: true }, 'ask:fresh,lodahs'],
  ['mixed, no tty, --safe-yes: the block stops', [clean, fresh, squat], { yes: true }, 'stop:65'],
];

describe('decide: findings × allowlist × TTY × --safe-yes', () => {
  it.each(rows)('%s', (_t, reports, o, expected) => {
    const d = decide({ tool: 'safe-npm', reports, isTrusted: (n) => (o.trusted ?? []).includes(n), interactive: o.interactive ?? false, yes: o.yes ?? false });
    const got = d.action === 'proceed' ? 'proceed' : d.action === 'ask' ? `ask:${d.packages.map((p) => p.report.name).join(',')}` : `stop:${d.exitCode}`;
    expect(got).toBe(expected);
  });

  it('each stop names the package, the reason and the command that accepts it', () => {
    const d = decide({ tool: 'safe-npm', reports: [fresh, squat], isTrusted: () => false, interactive: false, yes: false });
    if (d.action !== 'stop') throw new Error('expected stop');
    expect(d.reasons).toHaveLength(2);
    expect(d.reasons[0]).toMatch(/^fresh: warn: new-version message — accept with --safe-yes \(env SAFE_NPM_YES=1\) or: safe-npm safe trust fresh$/);
    expect(d.reasons[1]).toMatch(/^lodahs: block: .* did you mean "lodash"\? if you are sure, run: safe-npm safe trust lodahs$/);
  });
});
