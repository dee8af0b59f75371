import type { Check } from '../core/types.js';
import { isoDate, releasePair } from './release-compare.js';

const DAY = 86_400_000;

/**
 * A release after a long silence: abandoned packages are what account takeovers and
 * "new maintainer" hand-overs target. Only against the previous release: the gap to the version
 * in your lockfile says how long you did not update, not how long the package was dormant.
 * A long pause alone is common and harmless: information, raised to a warning only together with a
 * takeover signal on a consistent timeline (run-checks.ts, weighTakeoverSignals).
 */
export const dormantRelease: Check = {
  id: 'dormant-release',
  title: 'release after a long dormancy',
  needsNetwork: true,
  run(facts, ctx) {
    if (facts.previousReason === 'replaced') return [];
    const pair = releasePair(facts);
    if (!pair) return [];
    const after = pair.release.publishedAt;
    const before = pair.previous.publishedAt;
    if (!after || !before) return [];
    const gapDays = Math.floor((after.getTime() - before.getTime()) / DAY);
    if (gapDays <= ctx.thresholds.dormantReleaseDays) return [];
    return [{
      check: 'dormant-release',
      severity: 'info',
      message: `${pair.label} (published ${isoDate(after)}) came ${describeGap(gapDays)} after ${pair.previousLabel} (published ${isoDate(before)})`,
    }];
  },
};

function describeGap(days: number): string {
  return days < 730 ? `${days} days` : `${days} days (${Math.floor(days / 365)} years)`;
}
