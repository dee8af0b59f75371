import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/checks/run-checks.js';
import type { Finding, PackageFacts, ReleaseFacts } from '../../../src/core/types.js';
import { daysAgo, makeContext, makeFacts } from '../../helpers/make-facts.js';

const ctx = makeContext();

/** 2.0.0 → 2.0.1 of an unremarkable package: one dependency, no scripts, same publisher, similar size, 100 days apart. */
const before: ReleaseFacts = { version: '2.0.0', publishedAt: daysAgo(102), installScripts: {}, dependencies: ['a'], publisher: 'alice', unpackedSize: 50_000, fileCount: 10 };
// A fresh release: the change signals warn (for older releases they are info, see onlyWhileRecent).
const after: ReleaseFacts = { ...before, version: '2.0.1', publishedAt: daysAgo(2) };

/** Facts with the two releases; `cur`/`prev` override fields of either side (null drops the side). */
function facts(cur: Partial<ReleaseFacts> | null, prev: Partial<ReleaseFacts> | null, extra: Partial<PackageFacts> = {}): PackageFacts {
  return makeFacts({
    name: 'x',
    version: cur?.version ?? after.version,
    installScripts: cur?.installScripts ?? {},
    release: cur ? { ...after, ...cur } : undefined,
    previousRelease: prev ? { ...before, ...prev } : undefined,
    previousReason: 'previous-release',
    ...extra,
  });
}
const run = (f: PackageFacts, c = ctx) => runChecks(f, c, { offline: false, severity: {} });
const summary = (findings: Finding[]) => findings.map((f) => `${f.check}:${f.severity}`);

describe('what changed since the previous version', () => {
  it.each([
    ['nothing changed says nothing', facts({}, {}), []],
    ['no previous release says nothing', facts({ dependencies: ['a', 'b'], publisher: 'eve' }, null), []],
    ['no release facts say nothing', facts(null, {}), []],
    ['install script added warns', facts({ installScripts: { postinstall: 'node setup.js' } }, {}), ['install-scripts:info', 'install-scripts-changed:warn']],
    ['install script changed warns', facts({ installScripts: { postinstall: 'node b.js' } }, { installScripts: { postinstall: 'node a.js' } }), ['install-scripts:info', 'install-scripts-changed:warn']],
    ['another install event added warns', facts({ installScripts: { install: 'x', preinstall: 'y' } }, { installScripts: { install: 'x' } }), ['install-scripts:info', 'install-scripts-changed:warn']],
    ['same install script says nothing new', facts({ installScripts: { install: 'x' } }, { installScripts: { install: 'x' } }), ['install-scripts:info']],
    ['install script removed says nothing', facts({}, { installScripts: { postinstall: 'node a.js' } }), []],
    ['unknown previous scripts say nothing', facts({ installScripts: { postinstall: 'x' } }, { installScripts: undefined }), ['install-scripts:info']],
    ['new dependency in a patch release alone is info (issue 9)', facts({ dependencies: ['a', 'flatmap-stream'] }, {}), ['new-dependencies:info']],
    ['new dependency in a minor release is info', facts({ version: '2.1.0', dependencies: ['a', 'b'] }, {}), ['new-dependencies:info']],
    ['new dependencies in a major release are info', facts({ version: '3.0.0', dependencies: ['b', 'c', 'd'] }, {}), ['new-dependencies:info']],
    ['new dependency on a downgrade is info', facts({ dependencies: ['a', 'b'] }, { version: '2.0.2' }, { previousReason: 'replaced' }), ['new-dependencies:info']],
    ['non-semver versions are never a patch release', facts({ version: 'r2', dependencies: ['a', 'b'] }, { version: 'r1' }), ['new-dependencies:info']],
    ['dependency removed says nothing', facts({ dependencies: [] }, {}), []],
    ['unknown dependencies say nothing', facts({ dependencies: ['a', 'b'] }, { dependencies: undefined }), []],
    ['another publisher warns', facts({ publisher: 'eve' }, {}), ['new-publisher:warn']],
    ['unknown publisher (mirror) says nothing', facts({ publisher: undefined }, { publisher: undefined }), []],
    ['publisher unknown on one side says nothing', facts({ publisher: 'eve' }, { publisher: undefined }), []],
    ['size ×3.2 and +110 kB warns', facts({ unpackedSize: 160_000 }, {}), ['size-jump:warn']],
    ['size ×9 but only +80 kB says nothing', facts({ unpackedSize: 90_000 }, { unpackedSize: 10_000 }), []],
    ['size +200 kB but only ×1.5 says nothing', facts({ unpackedSize: 600_000 }, { unpackedSize: 400_000 }), []],
    ['files ×4 and +30 warns', facts({ fileCount: 40 }, {}), ['size-jump:warn']],
    ['files ×2.5 but only +15 says nothing', facts({ fileCount: 25 }, {}), []],
    ['size and files both jump: one finding', facts({ unpackedSize: 900_000, fileCount: 80 }, {}), ['size-jump:warn']],
    ['unknown sizes say nothing', facts({ unpackedSize: 5_000_000, fileCount: undefined }, { unpackedSize: undefined, fileCount: 1 }), []],
    ['a release 700 days after the previous one alone is info (issue 9)', facts({}, { publishedAt: daysAgo(702) }), ['dormant-release:info']],
    ['dormant release with a new publisher on a consistent timeline warns', facts({ publisher: 'mallory' }, { publishedAt: daysAgo(702) }, { timeline: 'consistent' }), ['new-publisher:warn', 'dormant-release:warn']],
    ['dormant release with a new publisher on a mirror timeline stays info', facts({ publisher: 'mallory' }, { publishedAt: daysAgo(702) }, { timeline: 'inconsistent' }), ['new-publisher:warn', 'dormant-release:info']],
    ['dormant release with an unknown timeline stays info', facts({ publisher: 'mallory' }, { publishedAt: daysAgo(702) }), ['new-publisher:warn', 'dormant-release:info']],
    ['new dependency in a patch with an install script added warns', facts({ dependencies: ['a', 'b'], installScripts: { postinstall: 'node x.js' } }, {}, { timeline: 'consistent' }), ['install-scripts:info', 'install-scripts-changed:warn', 'new-dependencies:warn']],
    ['size jump is not a takeover signal for a dormant release', facts({ unpackedSize: 900_000 }, { publishedAt: daysAgo(702) }, { timeline: 'consistent' }), ['size-jump:warn', 'dormant-release:info']],
    ['a release 300 days after the previous one says nothing', facts({}, { publishedAt: daysAgo(302) }), []],
    ['a change public for longer than recentReleaseDays is info', facts({ publishedAt: daysAgo(200), publisher: 'mallory' }, {}), ['new-publisher:info']],
    ['a gap to the lockfile version is not dormancy', facts({}, { publishedAt: daysAgo(900) }, { previousReason: 'replaced' }), []],
    ['unknown publish times say nothing', facts({ publishedAt: undefined }, { publishedAt: daysAgo(900) }), []],
    ['provenance dropped after a release with it warns', facts({ provenance: false }, { provenance: true }), ['provenance-dropped:warn']],
    ['provenance on neither side (or stripped by a mirror) says nothing', facts({ provenance: false }, { provenance: false }), []],
    ['provenance added says nothing', facts({ provenance: true }, { provenance: false }), []],
    ['provenance dropped makes a dormant release warn on a consistent timeline', facts({ provenance: false }, { provenance: true, publishedAt: daysAgo(702) }, { timeline: 'consistent' }), ['provenance-dropped:warn', 'dormant-release:warn']],
    ['event-stream: new publisher and new dependency in a patch', facts({ publisher: 'right9ctrl', dependencies: ['a', 'flatmap-stream'] }, {}, { timeline: 'consistent' }), ['new-dependencies:warn', 'new-publisher:warn']],
  ] as const)('%s', (_title, f, expected) => {
    expect(summary(run(f))).toEqual(expected);
  });
});

describe('messages name before, after, and what is compared with why', () => {
  const message = (f: PackageFacts, check: string) => run(f).find((x) => x.check === check)!.message;

  it('install script added', () => {
    const f = facts({ installScripts: { postinstall: 'node setup.js' } }, {});
    expect(message(f, 'install-scripts-changed')).toBe('x@2.0.1 adds a postinstall script: node setup.js (2.0.0, the previous release, had no install scripts)');
    expect(run(f).find((x) => x.check === 'install-scripts-changed')!.details).toEqual(['postinstall: node setup.js']);
  });

  it('install script changed, against the lockfile version', () => {
    const f = facts({ installScripts: { postinstall: 'node b.js' } }, { installScripts: { postinstall: 'node a.js' } }, { previousReason: 'replaced' });
    expect(message(f, 'install-scripts-changed')).toBe('x@2.0.1 changes its install scripts since 2.0.0, the version in your lockfile: postinstall: "node a.js" → "node b.js"');
  });

  it('new publisher (debug, 2025)', () => {
    const f = makeFacts({
      name: 'debug', version: '4.4.2', previousReason: 'previous-release',
      release: { version: '4.4.2', publisher: 'attacker' }, previousRelease: { version: '4.4.1', publisher: 'sindresorhus' },
    });
    expect(message(f, 'new-publisher')).toBe('debug@4.4.2 was published by "attacker" (4.4.1, the previous release, by "sindresorhus")');
  });

  it('new dependency in a patch (event-stream, 2018)', () => {
    const f = makeFacts({
      name: 'event-stream', version: '3.3.6', previousReason: 'previous-release',
      release: { version: '3.3.6', dependencies: ['duplexer', 'flatmap-stream', 'through'] }, previousRelease: { version: '3.3.5', dependencies: ['duplexer', 'through'] },
    });
    expect(message(f, 'new-dependencies')).toBe('event-stream@3.3.6 adds a dependency in a patch release: flatmap-stream (not in 3.3.5, the previous release)');
  });

  it('several new dependencies in a minor release', () => {
    expect(message(facts({ version: '2.1.0', dependencies: ['a', 'b', 'c'] }, {}), 'new-dependencies')).toBe('x@2.1.0 adds 2 dependencies: b, c (not in 2.0.0, the previous release)');
  });

  it('size jump gives both figures', () => {
    expect(message(facts({ unpackedSize: 2_400_000, fileCount: 80 }, {}), 'size-jump'))
      .toBe('x@2.0.1 is much larger than 2.0.0, the previous release: unpacked size 50 kB → 2.4 MB, files 10 → 80');
  });

  it('dormancy gives both dates and the gap', () => {
    const f = facts({ publishedAt: new Date('2025-09-08T10:00:00Z') }, { publishedAt: new Date('2022-06-01T10:00:00Z') });
    expect(message(f, 'dormant-release')).toBe('x@2.0.1 (published 2025-09-08) came 1195 days (3 years) after 2.0.0, the previous release (published 2022-06-01)');
  });

  it('without a reason it still names the version compared with', () => {
    expect(message(facts({ publisher: 'eve' }, {}, { previousReason: undefined }), 'new-publisher')).toBe('x@2.0.1 was published by "eve" (2.0.0, by "alice")');
  });
});

describe('thresholds and run options', () => {
  it('thresholds come from the context', () => {
    const strict = { ...ctx, thresholds: { ...ctx.thresholds, dormantReleaseDays: 90, sizeJumpFactor: 1.2, sizeJumpMinBytes: 1000, sizeJumpMinFiles: 1 } };
    expect(summary(run(facts({ unpackedSize: 70_000, fileCount: 13 }, {}), strict))).toEqual(['size-jump:warn', 'dormant-release:info']);
  });

  it('offline runs none of them (they need registry facts)', () => {
    const f = facts({ publisher: 'eve', dependencies: ['a', 'b'], installScripts: { postinstall: 'x' } }, {});
    expect(runChecks(f, ctx, { offline: true, severity: {} }).filter((x) => x.check !== 'typosquat')).toEqual([]);
  });

  it('severity overrides apply by check id', () => {
    expect(summary(runChecks(facts({ publisher: 'eve' }, {}), ctx, { offline: false, severity: { 'new-publisher': 'block' } }))).toEqual(['new-publisher:block']);
  });
});
