import type { CheckContext, PackageFacts } from '../../src/core/types.js';
import { defaultSettings } from '../../src/config/settings.js';
import type { FeedData, MaliciousRecord } from '../../src/feed/malicious-feed.js';
import { feedSource, type FeedSource } from '../../src/feed/process-feed.js';

export const NOW = new Date('2026-11-25T12:00:00Z');
export const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

/** Facts of an established, unremarkable registry package; override what the test is about. */
export function makeFacts(overrides: Partial<PackageFacts> = {}): PackageFacts {
  return {
    ecosystem: 'npm',
    name: 'some-package',
    requested: overrides.name ?? 'some-package',
    source: 'registry',
    version: '1.2.3',
    exists: true,
    packageCreatedAt: daysAgo(900),
    versionPublishedAt: daysAgo(200),
    versionCount: 25,
    repository: 'git+https://example.invalid/x.git',
    description: 'a package',
    installScripts: {},
    ...overrides,
  };
}

/** A known-malicious feed fetched at NOW with these records (none by default: nothing known, nothing to note). */
export function makeFeed(records: Record<string, MaliciousRecord[]> = {}, fetchedAt = NOW): FeedSource {
  const data = (ecosystem: 'npm' | 'pypi'): FeedData => ({ format: 1, ecosystem, source: 'test', fetchedAt: fetchedAt.toISOString(), records });
  return feedSource((ecosystem) => ({ feed: data(ecosystem) }));
}

export function makeContext(popular: string[] = ['lodash', 'express', 'react-dom']): CheckContext {
  const set = new Set(popular);
  return {
    now: NOW,
    thresholds: defaultSettings.thresholds,
    feed: makeFeed(),
    popular: {
      isPopular: (n) => set.has(n),
      lookAlike: (n) => (n === 'lodahs' ? { target: 'lodash', reason: 'two letters swapped' } : undefined),
    },
  };
}
