import type { Check, Finding } from '../core/types.js';
import { releasePair, shortText } from './release-compare.js';

/**
 * Install scripts appeared, or their text changed, since the version compared with: the way the
 * 2025 npm worm and many takeovers run their payload. Removed scripts say nothing (less code runs).
 */
export const installScriptsChanged: Check = {
  id: 'install-scripts-changed',
  title: 'install scripts changed since the previous version',
  needsNetwork: true,
  run(facts) {
    const pair = releasePair(facts);
    if (!pair) return [];
    const after = pair.release.installScripts;
    const before = pair.previous.installScripts;
    if (!after || !before) return [];
    const beforeEvents = Object.keys(before);
    const added = Object.keys(after).filter((e) => !(e in before));
    const changed = Object.keys(after).filter((e) => e in before && before[e] !== after[e]);
    if (added.length === 0 && changed.length === 0) return [];

    if (beforeEvents.length === 0) {
      const what = added.length === 1
        ? `a ${added[0]} script: ${shortText(after[added[0]!]!)}`
        : `install scripts: ${added.map((e) => `${e}: ${shortText(after[e]!, 60)}`).join('; ')}`;
      const finding: Finding = {
        check: 'install-scripts-changed',
        severity: 'warn',
        message: `${pair.label} adds ${what} (${pair.previousLabel}, had no install scripts)`,
        details: added.map((e) => `${e}: ${after[e]}`),
      };
      return [finding];
    }

    const lines = [
      ...changed.map((e) => `${e}: "${shortText(before[e]!, 60)}" → "${shortText(after[e]!, 60)}"`),
      ...added.map((e) => `${e}: (none) → "${shortText(after[e]!, 60)}"`),
    ];
    const events = [...changed, ...added];
    return [{
      check: 'install-scripts-changed',
      severity: 'warn',
      message: `${pair.label} changes its install scripts since ${pair.previousLabel}: ${lines.join('; ')}`,
      details: [
        ...events.map((e) => `${e} before (${pair.previous.version}): ${before[e] ?? '(none)'}`),
        ...events.map((e) => `${e} now (${pair.release.version}): ${after[e]}`),
      ],
    }];
  },
};
