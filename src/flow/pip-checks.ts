/**
 * Facts and checks for the resolved set: index look-ups (started early, while pip resolves), the
 * release cooldown, dependency confusion, and what only pip's report knows; one report per item.
 */
import type { Finding, PackageFacts, PackageReport } from '../core/types.js';
import { oneFindingForAFreeName, runChecks, TAKEOVER_SIGNALS, toReport } from '../checks/run-checks.js';
import { describeAge } from '../checks/age.js';
import { confusionFindings, distinctSources, primaryIndex, redactUrl, sourceCount, sourceOf, unreachableIndexes, type SourceConfig } from '../pypi/dependency-confusion.js';
import { dependencyPaths, pathDisplayName } from '../pypi/dependency-paths.js';
import { normalizePypiName } from '../pypi/normalize-name.js';
import { compareVersions } from '../pypi/pep440.js';
import type { GuardSidecar } from '../pypi/pip-guard.js';
import type { ReportItem } from '../pypi/pip-report.js';
import { dependencyNamesOf, factsFromAnswer, versionTimes } from '../pypi/pypi-facts.js';
import { answerFromPage } from '../pypi/pypi-index.js';
import { applySeverity, sayCooldown } from './decision-stages.js';
import { cooldownExcluded, note, say, type NeededBuild, type PipSession, type Resolved } from './pip-session.js';
import { tooYoungFinding } from './whole-tree.js';

/** The sources pip read, as the guard recorded them (with the index pages it could not fetch). */
export function sourcesOf(side: GuardSidecar): SourceConfig {
  return { indexUrls: side.indexUrls ?? [], findLinks: side.findLinks ?? [], unreachable: side.unreachable };
}

/**
 * Where an item's file came from: the index it was found on (its facts come from there), or a
 * find-links location (no index facts; it exists — pip found it in a source the user configured).
 * A file the guard did not see listed is taken for the primary index's.
 */
export function originOf(item: ReportItem, side: GuardSidecar): { index: string } | { findLinks: string } | undefined {
  const sources = sourcesOf(side);
  const chosen = (side.candidates?.[item.canonical] ?? []).find((c) => c.url === item.url);
  const from = chosen ? sourceOf(chosen, sources) : undefined;
  if (from && sources.indexUrls.includes(from)) return { index: from };
  if (from && sources.findLinks.includes(from)) return { findLinks: from };
  const primary = primaryIndex(sources, unreachableIndexes(sources, side.candidates));
  return primary ? { index: primary } : undefined;
}

export function indexOf(item: ReportItem, side: GuardSidecar): string | undefined {
  const origin = originOf(item, side);
  return origin && 'index' in origin ? origin.index : undefined;
}

const seeded = new WeakMap<PipSession, Set<string>>();

/**
 * The project pages pip read (kept by the guard) go to the look-ups: the facts come from the page
 * pip chose from, and no page is asked for twice — one round of requests per index, pip's own.
 */
export function usePagesPipRead(side: GuardSidecar, s: PipSession): void {
  const done = seeded.get(s) ?? new Set<string>();
  seeded.set(s, done);
  for (const [url, path] of Object.entries(side.pages ?? {})) {
    if (done.has(url)) continue;
    done.add(url);
    const index = (side.indexUrls ?? []).find((i) => url.startsWith(`${i.replace(/\/+$/, '')}/`));
    const page = index ? s.work.readPage(path) : undefined;
    const answer = page ? answerFromPage(page) : undefined;
    const name = index ? decodeURIComponent(url.slice(index.replace(/\/+$/, '').length + 1).replace(/\/+$/, '')) : '';
    if (index && answer && name && !name.includes('/')) s.lookups.known(index, name, answer);
  }
}

export function prefetchFound(side: GuardSidecar, s: PipSession): void {
  usePagesPipRead(side, s);
  const indexUrls = side.indexUrls ?? [];
  if (indexUrls.length !== 1) return;
  for (const name of Object.keys(side.candidates ?? {})) void s.lookups.project(indexUrls[0]!, name);
}

export function prefetch(items: readonly ReportItem[], side: GuardSidecar, s: PipSession): void {
  usePagesPipRead(side, s);
  for (const item of items) {
    const index = item.kind === 'index' ? indexOf(item, side) : undefined;
    if (index) void s.lookups.project(index, item.name);
  }
}

/** Upload time of the chosen version: what pip saw (PEP 700), else the index's JSON. */
function chosenTime(item: ReportItem, side: GuardSidecar, facts?: PackageFacts): Date | undefined {
  const seen = side.cooldown?.times?.[item.canonical]?.[item.version];
  return seen ? new Date(seen) : facts?.versionPublishedAt;
}

/**
 * Items whose chosen version is inside the cooldown although the guard did not know (no PEP 700
 * times on that index): their young versions go to the guard's list and the caller resolves again.
 */
export async function youngerThanTheGuardKnew(items: readonly ReportItem[], side: GuardSidecar, s: PipSession): Promise<boolean> {
  const cool = s.cooldown;
  if (!cool) return false;
  let added = false;
  await Promise.all(items.map(async (item) => {
    if (item.kind !== 'index' || cooldownExcluded(s, item.canonical)) return;
    if (side.cooldown?.times?.[item.canonical]?.[item.version]) return;
    if (side.cooldown?.tooYoung?.[item.canonical]?.includes(item.version)) return;
    if (cool.young[item.canonical]?.includes(item.version)) return;
    const index = indexOf(item, side);
    if (!index) return;
    const times = versionTimes(await s.lookups.project(index, item.name), item.name);
    const t = times.get(item.version);
    if (!t || t <= cool.cutoff) return;
    const young = [...times].filter(([, when]) => when > cool.cutoff).map(([v]) => v);
    cool.young[item.canonical] = [...new Set([...(cool.young[item.canonical] ?? []), ...young])];
    added = true;
  }));
  return added;
}

/** Facts and checks for every item of the resolved set; one report each, grouped by requested package. */
export async function checkResolved(resolved: Resolved, s: PipSession): Promise<PackageReport[]> {
  const { items, side } = resolved;
  const sources = sourcesOf(side);
  saySources(sources, side, s);
  const paths = side.edges ? dependencyPaths(items, side.edges) : new Map<string, string[]>();
  const ctx = { now: s.now, thresholds: s.settings.thresholds, popular: s.deps.popular(), command: s.deps.ownCommand };
  const reports = await Promise.all(items.map(async (item) => {
    const facts = await factsFor(item, side, s);
    const path = paths.get(item.canonical);
    if (path && path.length > 1) {
      facts.dependencyPath = path;
      facts.requested = pathDisplayName(item, path, items);
    }
    const cooling = Boolean(s.cooldown) && item.kind === 'index' && !cooldownExcluded(s, item.canonical);
    const check = () => runChecks(facts, ctx, { offline: false, severity: s.settings.severity })
      // Under the cooldown a young version is its finding (below); new-version would say it twice.
      .filter((f) => !(cooling && f.check === 'new-version'));
    let findings: Finding[] = check();
    if (await previousDependencies(item, facts, findings, side, s)) findings = check();
    if (cooling) findings.push(...cooldownFindings(item, facts, side, s));
    findings.push(...confusionFindings(item.name, side.candidates?.[item.canonical] ?? [], sources, item.url));
    pipFindings(item, findings, side, resolved.approvedBuilds);
    return { report: toReport(facts, applySeverity(findings, s.settings)), path };
  }));
  // What the cooldown changed is said even when all is well (pip alone would install something else).
  sayCooldown(reports.map((r) => r.report), s.deps, 'safe-pip');
  for (const { report } of reports) report.findings = report.findings.filter((f) => !(f.check === 'release-cooldown' && f.severity === 'info'));
  return groupByRequestedPackage(reports, items);
}

/** What only pip's report knows: approved builds, newer source-only versions, yanked files. Adds to `findings`. */
function pipFindings(item: ReportItem, findings: Finding[], side: GuardSidecar, approved: readonly NeededBuild[]): void {
  const build = approved.find((b) => (b.name && normalizePypiName(b.name) === item.canonical) || (b.url && b.url === item.url));
  if (build) {
    findings.push({ check: 'needs-build', severity: 'info', message: `${item.name}==${item.version} is built from source (its code runs; approved)` });
    // The user approved building exactly this source: where it comes from is no longer open.
    for (const [i, f] of findings.entries()) if (f.check === 'non-registry-source' && f.severity !== 'block') findings[i] = { ...f, severity: 'info', message: `${f.message} (its build was approved)` };
  }
  const hidden = side.sourceOnly?.[item.canonical];
  if (hidden?.length && !build) findings.push({ check: 'needs-build', severity: 'info', message: `${item.name}: newer version(s) ${hidden.join(', ')} exist only as source; ${item.version} (a wheel) was chosen` });
  if (item.isYanked && !findings.some((f) => f.check === 'deprecated')) findings.push({ check: 'deprecated', severity: 'warn', message: `${item.name}==${item.version} was yanked` });
}

/** Reports in groups: each requested package, then what came in through it (shortest path first). */
function groupByRequestedPackage(reports: Array<{ report: PackageReport; path?: string[] }>, items: readonly ReportItem[]): PackageReport[] {
  const order = new Map(items.map((it, i) => [it.canonical, i]));
  const key = (r: { path?: string[] }, i: number): [number, number, number] => {
    const root = r.path?.[0];
    return [root !== undefined ? order.get(root) ?? items.length : items.length + i, r.path?.length ?? 1, i];
  };
  return reports
    .map((r, i) => ({ r, k: key(r, i) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2])
    .map(({ r }) => r.report);
}

/** "x==2.0.1 is 5 hours old; installing 2.0.0" (info) or, when nothing older satisfies, a warn naming the age. */
function cooldownFindings(item: ReportItem, facts: PackageFacts, side: GuardSidecar, s: PipSession): Finding[] {
  const cool = s.cooldown!;
  const chosen = chosenTime(item, side, facts);
  if (chosen && chosen > cool.cutoff) return [tooYoungFinding({ ...facts, versionPublishedAt: chosen }, cool.hours, s.now)];
  const skipped = Object.entries(side.cooldown?.skipped?.[item.canonical] ?? {}).filter(([v]) => compareVersions(v, item.version) > 0);
  if (skipped.length === 0) return [];
  const [newest, when] = skipped.sort((a, b) => compareVersions(a[0], b[0])).at(-1)!;
  const age = when ? `${describeAge(new Date(when), s.now)} old` : `younger than ${cool.hours} hours`;
  return [{ check: 'release-cooldown', severity: 'info', message: `${item.name}==${newest} is ${age}; installing ${item.version}` }];
}

/**
 * Said once per run: how many distinct sources pip reads (each counted once), and any index pip
 * could not reach — pip went on without it, and so do the comparisons between sources.
 */
function saySources(sources: SourceConfig, side: GuardSidecar, s: PipSession): void {
  const distinct = distinctSources(sources);
  const down = unreachableIndexes(distinct, side.candidates);
  for (const [url, why] of down) {
    const instead = primaryIndex(distinct, down);
    say(s, `the index ${redactUrl(url)} could not be reached (${shortReason(why)}); pip went on without it${url === distinct.indexUrls[0] && instead ? `, and ${redactUrl(instead)} stands for the primary index in the comparisons` : ''}`);
  }
  const count = sourceCount(distinct) - down.size;
  if (count > 1) note(s, `${count} package sources are configured; checking every name on all of them`);
}

/** pip's reason for a failed page, short: "Name or service not known", "timed out", "HTTP 503"… */
export function shortReason(why: string): string {
  const errno = why.match(/\[Errno -?\d+\] ([^'")]+)/);
  if (errno) return errno[1]!.trim();
  const status = why.match(/\b(5\d\d) Server Error/);
  if (status) return `HTTP ${status[1]}`;
  const first = why.split('\n')[0]!;
  return first.length > 120 ? `${first.slice(0, 117)}...` : first;
}

async function factsFor(item: ReportItem, side: GuardSidecar, s: PipSession): Promise<PackageFacts> {
  if (item.kind !== 'index') {
    const source = item.kind === 'vcs' ? 'git' : item.kind === 'dir' ? 'directory' : item.url.startsWith('file:') ? 'file' : 'remote';
    return { ecosystem: 'pypi', name: item.name, requested: item.name, source, version: item.version };
  }
  const origin = originOf(item, side);
  if (!origin || 'findLinks' in origin) {
    // Found by pip in a find-links location the user configured: it exists; only the index's facts are unknown.
    const where = origin ? ` (found in find-links ${redactUrl(origin.findLinks)})` : '';
    return { ecosystem: 'pypi', name: item.name, requested: item.name, source: 'registry', version: item.version, exists: true, unknownFields: [`index facts${where}`] };
  }
  const answer = await s.lookups.project(origin.index, item.name);
  const facts = factsFromAnswer(answer, { name: item.name, requested: item.name, version: item.version });
  // Dependencies: this release's from the metadata pip resolved with (the previous one's: see previousDependencies).
  if (facts.release) facts.release.dependencies = dependencyNamesOf(item.requiresDist);
  return facts;
}

/**
 * The previous release's dependencies, from the index's per-version JSON: asked only when a
 * takeover signal makes them count (a new dependency alone is information), so a run asks the
 * index for nothing beyond the pages pip read. true when they were added.
 */
async function previousDependencies(item: ReportItem, facts: PackageFacts, findings: readonly Finding[], side: GuardSidecar, s: PipSession): Promise<boolean> {
  const prev = facts.previousRelease;
  const index = indexOf(item, side);
  if (!prev || prev.dependencies || !index || item.kind !== 'index') return false;
  if (!findings.some((f) => f.severity === 'warn' && TAKEOVER_SIGNALS.has(f.check))) return false;
  const requires = await s.lookups.releaseRequires(index, item.name, prev.version);
  const deps = requires === undefined ? undefined : dependencyNamesOf(requires, prev);
  if (deps) prev.dependencies = deps;
  return Boolean(deps);
}

/** What is checked about a name pip could not resolve: whether it is a slip of a popular name, or known malware. */
const NAME_CHECKS = new Set(['typosquat', 'known-malicious']);

/**
 * pip could not resolve the request: the names the user asked for (as pip parsed them, requirement
 * files included) are checked like any other, on the primary index. Only what the name itself says
 * stops the run (a look-alike of a popular name, known malware); anything else is pip's own error.
 */
export async function checkRequestedNames(side: GuardSidecar, fallback: readonly string[], s: PipSession): Promise<PackageReport[]> {
  const names = side.requested?.length ? side.requested : fallback;
  usePagesPipRead(side, s);
  const sources = sourcesOf(side);
  const index = primaryIndex(sources, unreachableIndexes(sources, side.candidates));
  const ctx = { now: s.now, thresholds: s.settings.thresholds, popular: s.deps.popular(), command: s.deps.ownCommand };
  const severity = s.settings.severity;
  // Only a name the offline check already ties to a popular one (or to the known-malicious feed) can
  // end up here: the index's answer changes how sure that finding is, never whether there is one. The
  // rest are not looked up (a request of 10,000 names, one of them bad, asked the index 10,000 times).
  const suspects = [...new Set(names.map(normalizePypiName))].filter((name) =>
    runChecks({ ecosystem: 'pypi', name, requested: name, source: 'registry' }, ctx, { offline: true, severity }).some((f) => NAME_CHECKS.has(f.check) || f.didYouMean));
  const reports = await Promise.all(suspects.map(async (name) => {
    const facts: PackageFacts = index
      ? factsFromAnswer(await s.lookups.project(index, name), { name, requested: name })
      : { ecosystem: 'pypi', name, requested: name, source: 'registry' };
    // A free name one typo from a popular one is kept as the one not-found finding that carries the
    // did-you-mean (nothing to install: no "Install anyway" at the prompt); a name only missing is pip's error.
    const findings = oneFindingForAFreeName(runChecks(facts, ctx, { offline: !index, severity }), facts)
      .filter((f) => f.severity === 'block' && (NAME_CHECKS.has(f.check) || f.didYouMean));
    return toReport(facts, applySeverity(findings, s.settings));
  }));
  return reports.filter((r) => r.findings.some((f) => f.severity === 'block'));
}
