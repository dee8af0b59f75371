import semver from 'semver';
import type { Check } from '../core/types.js';
import { releasePair } from './release-compare.js';

/**
 * Runtime dependencies that the version compared with did not have. In a patch release this is the
 * event-stream pattern (2018: `flatmap-stream` slipped into 3.3.6, picked up by every `^3.3.x`
 * range), which the message says; but new dependencies are routine, so alone this is information,
 * raised to a warning only together with a takeover signal (run-checks.ts, weighTakeoverSignals).
 */
export const newDependencies: Check = {
  id: 'new-dependencies',
  title: 'dependencies added since the previous version',
  needsNetwork: true,
  run(facts) {
    const pair = releasePair(facts);
    if (!pair) return [];
    const after = pair.release.dependencies;
    const before = pair.previous.dependencies;
    if (!after || !before) return [];
    const had = new Set(before);
    const added = after.filter((name) => !had.has(name));
    if (added.length === 0) return [];
    const patch = isPatchUpgrade(pair.previous.version, pair.release.version);
    const list = added.join(', ');
    const what = added.length === 1 ? `a dependency` : `${added.length} dependencies`;
    return [{
      check: 'new-dependencies',
      severity: 'info',
      message: `${pair.label} adds ${what}${patch ? ' in a patch release' : ''}: ${list} (not in ${pair.previousLabel})`,
    }];
  },
};

/** Upgrading within the same major.minor (npm semver; other version schemes never count). */
function isPatchUpgrade(before: string, after: string): boolean {
  const b = semver.valid(before);
  const a = semver.valid(after);
  if (!a || !b || !semver.gt(a, b)) return false;
  return semver.major(a) === semver.major(b) && semver.minor(a) === semver.minor(b);
}
