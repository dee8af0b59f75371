/**
 * The feed as this process sees it: read from the user's cache on the first check that asks (never
 * on a passthrough), once per ecosystem; the note about a missing or stale feed is given once.
 */
import type { Ecosystem, FeedSource, FeedState } from '../core/types.js';
import { feedPath, foreignFeedFolder, readFeed } from './feed-store.js';

export type { FeedSource } from '../core/types.js';

/** A source over fixed states (tests, and the process source below). */
export function feedSource(load: (ecosystem: Ecosystem) => FeedState): FeedSource {
  const states = new Map<Ecosystem, FeedState>();
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
  return (processSource ??= feedSource((ecosystem) => foreignFeedFolder(ecosystem) ?? readFeed(feedPath(ecosystem))));
}
