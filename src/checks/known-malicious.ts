import type { Check, Finding } from '../core/types.js';
import { feedNotice } from '../feed/feed-store.js';
import { lookUp, type MaliciousRecord } from '../feed/malicious-feed.js';
import { processFeed } from '../feed/process-feed.js';

/**
 * The known-malicious feed (OSV MAL- records, `safe update-db`), consulted offline: this exact
 * version listed → block; other versions of the name listed → warn; no feed, an unreadable or a
 * stale one → one info line per run with the command that fixes it.
 */
export const knownMalicious: Check = {
  id: 'known-malicious',
  title: 'known malicious (OSV feed)',
  needsNetwork: false,
  run(facts, ctx) {
    if (facts.source !== 'registry') return [];
    const source = ctx.feed ?? processFeed();
    const state = source.state(facts.ecosystem);
    const out: Finding[] = [];
    const tool = ctx.command ?? (facts.ecosystem === 'pypi' ? 'safe-pip' : 'safe-npm');
    const notice = feedNotice(state, ctx.now, tool);
    if (notice && source.takeNotice(facts.ecosystem)) out.push({ check: 'known-malicious', severity: 'info', message: notice });
    if (!state.feed) return out;
    const match = lookUp(state.feed, facts.name, facts.version);
    if (!match) return out;
    const at = facts.ecosystem === 'pypi' ? '==' : '@';
    if (match.kind === 'version') {
      out.push({
        check: 'known-malicious',
        severity: 'block',
        message: `${facts.name}${facts.version ? `${at}${facts.version}` : ''} is known malicious: ${describe(match.records)}`,
        details: match.records.map((r) => `${r.id}: ${r.summary} (${r.versions ? r.versions.join(', ') : 'every version'})`),
      });
    } else {
      const listed = match.versions.length > 6 ? `${match.versions.slice(0, 6).join(', ')}, …` : match.versions.join(', ');
      out.push({
        check: 'known-malicious',
        severity: 'warn',
        message: `other versions of "${facts.name}" are known malicious (${listed}: ${describe(match.records)}); ${facts.version ? `${facts.version} is not listed` : 'check the version you install'}`,
        details: match.records.map((r) => `${r.id}: ${r.summary} (${r.versions?.join(', ')})`),
      });
    }
    return out;
  },
};

function describe(records: readonly MaliciousRecord[]): string {
  const first = records[0]!;
  return `${first.id}${first.summary ? `, ${first.summary}` : ''}${records.length > 1 ? ` (+${records.length - 1} more)` : ''}`;
}
