/**
 * The feed as this process sees it: read from the user's cache on the first check that asks (never
 * on a passthrough), once per ecosystem; the note about a missing or stale feed is given once.
 */
import type { Ecosystem } from '../core/types.js';
import type { FeedData } from './malicious-feed.js';
import { feedPath, readFeed } from './feed-store.js';

export interface FeedSource {
  /** The stored feed (undefined: none) and, when it exists but cannot be read, why. */
  state(ecosystem: Ecosystem): { feed?: FeedData; problem?: string };
  /** true the first time it is asked per ecosystem: the feed's own note is said once per run. */
  takeNotice(ecosystem: Ecosystem): boolean;
}

/** A source over fixed states (tests, and the process source below). */
export function feedSource(load: (ecosystem: Ecosystem) => { feed?: FeedData; problem?: string }): FeedSource {
  const states = new Map<Ecosystem, { feed?: FeedData; problem?: string }>();
  const noticed = new Set<Ecosystem>();
  return {
    state(ecosystem) {
      let state = states.get(ecosystem);
      if (!state) states.set(ecosystem, (state = load(ecosystem)));
      return state;
    },
    takeNotice(ecosystem) {
      if (noticed.has(ecosystem)) return false;
      noticed.add(ecosystem);
      return true;
    },
  };
}

let processSource: FeedSource | undefined;

/** The feed files under this process's cache directory (XDG_CACHE_HOME / HOME). */
export function processFeed(): FeedSource {
  return (processSource ??= feedSource((ecosystem) => readFeed(feedPath(ecosystem))));
}
