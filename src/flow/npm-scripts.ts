/**
 * After an install with scripts off (or for `safe-npm rebuild`): find every install-time script in
 * the tree, match it against the approvals (per user, and npm's allowScripts), ask in a TTY, and run
 * only the approved ones with our own runner (dependency order, build user, scrubbed env, sandbox).
 */
import type { NpmInvocation } from '../npm/npm-invocation.js';
import { Cancelled, SafeError } from '../core/errors.js';
import { installedBeforeInterrupt } from './npm-finish.js';
import { readRegularFile } from '../run/user-files.js';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import type { SafeStore } from '../config/store.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Finding } from '../core/types.js';
import {
  allowScriptsKey, classify, commandsOnPath, discoverInstallScripts, findShadowingBins, makeApproval, makeDenial, planReplay,
  readAllowScripts, writeAllowScripts, type Classification, type RunnerDeps, type RunResult, type RunPlan, type ScriptCandidate,
} from '../npm/scripts/index.js';
import type { UserAccount } from '../run/users.js';
import type { Prompts } from '../ui/prompts.js';
import { formatFinding } from '../ui/format-report.js';
import { neutralize, neutralizeLines } from '../ui/neutralize.js';
import { describeAge } from '../checks/age.js';
import { npmScanDocuments } from '../scan/npm-package.js';
import { describeContentFinding, scanDocuments } from '../scan/scan.js';
import type { ContentFinding } from '../scan/types.js';
import { shellWord } from '../ui/shell-word.js';

export interface ScriptReplayDeps {
  interactive: boolean;
  color: boolean;
  stderr(text: string): void;
  prompts: Prompts;
  now(): Date;
  /** Publish time of name@version, when the registry says (shown at the prompt). */
  publishedAt?(name: string, version: string): Promise<Date | undefined>;
  runInstallScripts(plan: RunPlan, deps: RunnerDeps): Promise<RunResult>;
  /** Everything the runner needs but the plan: build user, toolchain, npm build config... (made only when scripts run). */
  runnerDeps(): Omit<RunnerDeps, 'strict' | 'print'>;
}

export interface ScriptReplayRequest {
  projectDir: string;
  store: SafeStore;
  settings: Settings;
  strict: boolean;
  /** --safe-project: also record approvals in package.json#allowScripts. */
  project: boolean;
  /** The root project's own install scripts are part of this run (a plain `npm install` / `ci` / `rebuild`). */
  includeRoot: boolean;
  /** `safe-npm rebuild <names>`: only these packages. */
  only?: string[];
  /** This replay follows an install that has been written (not `rebuild`). */
  afterInstall?: boolean;
  /**
   * Locations installed or changed by this install: only their unreviewed scripts are asked about and
   * listed one by one; older ones get a one-line reminder (no nagging on every install).
   */
  freshLocations?: Set<string>;
  /**
   * Locations this run wrote (installed or changed) — only their scripts run: an unrelated package's
   * approved postinstall does not run again on every uninstall. undefined: all (npm ci, rebuild).
   */
  writtenLocations?: Set<string>;
  tool: 'safe-npm';
  /** safe-npm as the user typed it (`npm` through the shim), for the commands we suggest. */
  command?: string;
  /** The user's PATH: a `.bin` entry named like a command on it is reported. */
  path?: string;
}

export async function replayInstallScripts(request: ScriptReplayRequest, deps: ScriptReplayDeps): Promise<number> {
  const { projectDir, store } = request;
  for (const finding of findShadowingBins(projectDir, commandsOnPath(request.path), request.writtenLocations)) deps.stderr(`${formatFinding(finding, { color: deps.color }).join('\n')}\n`);
  const candidates = await candidatesOf(request);
  if (candidates.length === 0) return ExitCode.ok;

  const sources = { decisions: store.scriptDecisions('npm'), allowScripts: readAllowScripts(readPackageJson(projectDir)) };
  for (const w of sources.allowScripts.warnings) deps.stderr(`safe-npm: package.json allowScripts: ${w}\n`);
  const classes = new Map<ScriptCandidate, Classification>(candidates.map((c) => [c, classify(c, sources)]));
  const isFresh = (c: ScriptCandidate) => !request.freshLocations || c.isRoot || request.freshLocations.has(c.location);
  const { content, blocked } = scanAndBlock(candidates, classes, request, deps);
  const open = candidates.filter((c) => ['unreviewed', 'changed'].includes(classes.get(c)!.status) && c.problems.length === 0 && isFresh(c) && !blocked.has(c));
  const fresh = open.length > 0 && deps.interactive
    ? await askApprovals(open, classes, content, request, deps).catch((error: unknown) => {
      // Ctrl-C at the checkbox after an install: the packages are in place, only their scripts wait.
      if (error instanceof Cancelled && request.afterInstall) throw new Cancelled(`cancelled at the prompt; ${installedBeforeInterrupt(request.command ?? request.tool)}`);
      throw error;
    })
    : new Map<ScriptCandidate, FreshAnswer>();

  const plan = planReplay(projectDir, candidates, (c) => {
    if (blocked.has(c)) return { run: false, reason: 'blocked by the content scan' };
    const answer = fresh.get(c);
    if (answer) return answer.allow ? { run: true, network: answer.network } : { run: false, reason: 'denied at the prompt' };
    const k = classes.get(c)!;
    return k.status === 'approved' ? { run: true, network: k.network } : { run: false, reason: k.reason };
  });
  sayUnpinned(plan, classes, fresh, deps);
  const result = await deps.runInstallScripts(plan, {
    ...deps.runnerDeps(),
    // Strictness is ours to apply: a remembered deny is a decision, not a withheld script.
    strict: false,
    // The runner says its notices as they happen (result.notices keeps them for the caller's record).
    print: (line) => deps.stderr(`${neutralize(line)}\n`),
    ...(request.command ? { command: request.command } : {}),
  });
  const pending = reportWithheld({ ...result, withheld: result.withheld.filter((w) => !blocked.has(w.candidate)) }, classes, deps, { tool: request.tool, command: request.command ?? request.tool, strict: request.strict }, isFresh);
  reportFailures(result, deps);
  if (result.exitCode !== 0) return result.exitCode;
  if (blocked.size > 0) return ExitCode.blocked;
  return request.strict && pending > 0 ? ExitCode.scriptsWithheld : ExitCode.ok;
}

type FreshAnswer = { allow: boolean; network: boolean };

/** The install-time scripts this replay is about: the root's when included, only what this run wrote, `rebuild <names>`. */
async function candidatesOf(request: ScriptReplayRequest): Promise<ScriptCandidate[]> {
  let candidates = await discoverInstallScripts(request.projectDir);
  if (!request.includeRoot) candidates = candidates.filter((c) => !c.isRoot);
  if (request.writtenLocations) candidates = candidates.filter((c) => c.isRoot || request.writtenLocations!.has(c.location));
  if (request.only?.length) candidates = candidates.filter((c) => request.only!.includes(c.name) || c.isRoot && request.only!.includes('.'));
  return candidates;
}

/**
 * What the scripts would run, read with the content rules (issue 11): shown at the prompt with file
 * and line; a high-confidence finding blocks (said here) unless exactly this content was approved in the store.
 */
function scanAndBlock(candidates: ScriptCandidate[], classes: Map<ScriptCandidate, Classification>, request: ScriptReplayRequest, deps: ScriptReplayDeps) {
  const content = new Map<ScriptCandidate, ContentFinding[]>(
    candidates.filter((c) => classes.get(c)!.status !== 'denied').map((c) => [c, scanCandidate(c)]),
  );
  const blocked = new Set(candidates.filter((c) => {
    const k = classes.get(c)!;
    return !c.isRoot && (content.get(c) ?? []).some((f) => f.confidence === 'high') && !(k.status === 'approved' && k.via === 'store');
  }));
  for (const c of blocked) {
    const high = content.get(c)!.filter((f) => f.confidence === 'high');
    deps.stderr(`${request.tool}: blocked: the install scripts of ${neutralize(`${labelOf(c)}${classes.get(c)!.status === 'approved' ? ` (${classes.get(c)!.reason})` : ''} do not run: ${high.map((f) => f.message).join('; ')}`)}\n`);
    for (const f of high) deps.stderr(`  ${neutralize(describeContentFinding(f))}\n`);
  }
  return { content, blocked };
}

/** At a terminal: one screen per package, then the checkbox (unchecked = denied and remembered) and the network one. */
async function askApprovals(
  open: ScriptCandidate[],
  classes: Map<ScriptCandidate, Classification>,
  content: Map<ScriptCandidate, ContentFinding[]>,
  request: ScriptReplayRequest,
  deps: ScriptReplayDeps,
): Promise<Map<ScriptCandidate, FreshAnswer>> {
  const fresh = new Map<ScriptCandidate, FreshAnswer>();
  for (const c of open) deps.stderr(`${await describeCandidate(c, classes.get(c)!, deps, content.get(c) ?? [])}\n`);
  const approved = new Set(await deps.prompts.chooseApprovals(
    'Approve install scripts to run (space toggles; unchecked ones are denied and remembered):',
    open.map((c) => ({ id: idOf(c), label: `${labelOf(c)}${classes.get(c)!.status === 'changed' ? ' (changed since approved)' : ''}` })),
  ));
  const approvedCandidates = open.filter((c) => approved.has(idOf(c)));
  const network = approvedCandidates.length === 0 ? new Set<string>() : new Set(await deps.prompts.chooseApprovals(
    'Grant network access while their script runs (binary downloaders need it; default: none):',
    approvedCandidates.map((c) => ({ id: idOf(c), label: labelOf(c) })),
  ));
  for (const c of open) {
    const allow = approved.has(idOf(c));
    const grant = network.has(idOf(c));
    fresh.set(c, { allow, network: grant });
    request.store.recordScriptDecision('npm', allow ? makeApproval(c, { network: grant, now: deps.now() }) : makeDenial(c, deps.now()));
    if (request.project && c.source === 'registry' && !c.inBundle) writeAllowScripts(request.projectDir, allowScriptsKey(c, allow), allow);
  }
  return fresh;
}

/** An unpinned allowScripts entry is npm's to define (every version), but never silent. */
function sayUnpinned(plan: RunPlan, classes: Map<ScriptCandidate, Classification>, fresh: Map<ScriptCandidate, FreshAnswer>, deps: ScriptReplayDeps): void {
  for (const step of plan.steps) {
    const k = classes.get(step.candidate);
    if (!k?.unpinned || fresh.has(step.candidate)) continue;
    const c = step.candidate;
    deps.stderr(neutralizeLines(`safe-npm: package.json allowScripts["${k.unpinned}"] allows every version of ${c.name}: running ${c.name}@${c.version} ${step.events.map((e) => e.event).join(', ')} (pin it: "${c.name}@${c.version}": true)\n`));
  }
}

/** A failed script: its output tail; what depends on it did not run. */
function reportFailures(result: RunResult, deps: ScriptReplayDeps): void {
  for (const f of result.failed) {
    deps.stderr(`safe-npm: ${neutralize(`${f.candidate.name}@${f.candidate.version}${f.failedEvent ? ` ${f.failedEvent}` : ''} failed${f.error ? `: ${f.error}` : ''}`)}\n`);
    for (const line of f.tail ?? []) deps.stderr(`  | ${neutralize(line)}\n`);
  }
  for (const s of result.skippedBecauseDependencyFailed) {
    deps.stderr(neutralizeLines(`safe-npm: not run: ${s.candidate.name}@${s.candidate.version} (its dependency ${s.failedDependency} failed)\n`));
  }
}

/** The content findings of one candidate's install scripts and the files they run (never throws: unreadable = nothing found). */
function scanCandidate(c: ScriptCandidate): ContentFinding[] {
  try {
    return scanDocuments(npmScanDocuments(c.path, c.scripts as Record<string, string>, { gyp: c.gyp === 'implicit' }));
  } catch {
    return [];
  }
}

/** Lists scripts withheld: approved ones the runner did not run, and those wanting approval (denied ones stay quiet); returns how many. */
function reportWithheld(
  result: RunResult,
  classes: Map<ScriptCandidate, Classification>,
  deps: ScriptReplayDeps,
  how: { tool: string; command: string; strict: boolean },
  isFresh: (c: ScriptCandidate) => boolean,
): number {
  const { tool, command } = how;
  const all = result.withheld.filter((w) => classes.get(w.candidate)?.status !== 'denied');
  const withheld = all.filter((w) => isFresh(w.candidate));
  const older = all.length - withheld.length;
  // Said once, when they were installed; again only when it decides the exit code (strict).
  if (older > 0 && how.strict) {
    deps.stderr(`${tool}: ${older} package${older === 1 ? '' : 's'} installed earlier ${older === 1 ? 'has' : 'have'} install scripts that are not approved (review them: ${command} rebuild)\n`);
  }
  if (withheld.length === 0) return all.length;
  const eventsOf = (c: ScriptCandidate) => Object.entries(c.scripts).map(([e, s]) => `${e}: ${s}`).join('; ');
  // Approved, yet not run (the sandbox setting refused to run anything): approving again would not help.
  const approvedNotRun = withheld.filter((w) => classes.get(w.candidate)?.status === 'approved');
  if (approvedNotRun.length > 0) {
    deps.stderr(`${tool}: approved install scripts that did not run; the packages are installed:\n`);
    for (const w of approvedNotRun) deps.stderr(`  ${neutralize(`${w.candidate.name}@${w.candidate.version} [${eventsOf(w.candidate)}] — ${w.reason}`)}\n`);
  }
  const unapproved = withheld.filter((w) => !approvedNotRun.includes(w));
  if (unapproved.length > 0) deps.stderr(`${tool}: install scripts withheld (not approved); the packages are installed but their scripts did not run:\n`);
  for (const w of unapproved) {
    const c = w.candidate;
    // A registry version is approved by name@version; anything else where it is installed.
    const approve = c.isRoot
      ? `${command} safe approve . (in ${c.path})`
      : c.source === 'registry' && !c.inBundle
        ? `${command} safe approve ${c.name}@${c.version}`
        : `${command} safe approve ${shellWord(c.location)}`;
    deps.stderr(`  ${neutralize(`${c.name}@${c.version} [${eventsOf(c)}] — ${w.reason}; approve with: ${approve}`)}\n`);
  }
  // Approving changes the next install, not this one: the packages are in place, their scripts not run.
  if (!how.strict) deps.stderr(`  then run them: ${command} rebuild\n`);
  return all.length;
}

const idOf = (c: ScriptCandidate) => `${c.location}|${c.name}@${c.version}`;
const labelOf = (c: ScriptCandidate) => (c.isRoot ? `this project (${c.name}@${c.version})` : `${c.name}@${c.version}`);

async function describeCandidate(c: ScriptCandidate, k: Classification, deps: ScriptReplayDeps, content: readonly ContentFinding[]): Promise<string> {
  const lines = [`── ${labelOf(c)}  [${c.source}${c.dev ? ', dev' : ''}${c.optional ? ', optional' : ''}]`];
  // The path from the project (its own name left out): "tsx > esbuild".
  if (!c.isRoot) lines.push(`   installed because: ${(c.dependencyPath.length > 1 ? c.dependencyPath.slice(1) : [c.name]).join(' > ')}`);
  if (c.source === 'registry' && deps.publishedAt) {
    const at = await deps.publishedAt(c.name, c.version).catch(() => undefined);
    lines.push(`   published: ${at ? `${describeAge(at, deps.now())} ago` : 'unknown'}`);
  }
  for (const [event, script] of Object.entries(c.scripts)) lines.push(`   ${event}: ${script}${event === 'install' && c.gyp === 'implicit' ? '   (implicit: binding.gyp)' : ''}`);
  for (const f of c.referencedFiles) {
    lines.push(`   ${f.file}: ${f.exists ? `${f.size} bytes, sha256 ${f.sha256?.slice(0, 16)}…` : f.problem ?? 'missing'}`);
    for (const p of f.preview ?? []) lines.push(`     | ${p}`);
  }
  if (k.previous) {
    lines.push(`   compared with the approved ${k.previous.key}:`);
    if (k.diff.length === 0) lines.push('     (same script text)');
    for (const d of k.diff) lines.push(`     ${d.event}: ${d.before ?? '(none)'}  →  ${d.after ?? '(removed)'}`);
  }
  for (const n of c.notes) lines.push(`   note: ${n}`);
  for (const f of content) lines.push(`   ! ${describeContentFinding(f)}`);
  // Names, script text, file names and previews come from the package: shown, never obeyed.
  return lines.map(neutralize).join('\n');
}

export function readPackageJson(projectDir: string): unknown {
  let text: string;
  try {
    // Data, not a device: a package.json that is a FIFO or /dev/zero is refused (exit 64).
    text = readRegularFile(join(projectDir, 'package.json'), { what: 'the project\'s package.json' });
  } catch (error) {
    if (error instanceof SafeError) throw error;
    return {};
  }
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

export type { Finding, UserAccount };

const plainInstallKinds = new Set(['install', 'ci', 'install-test', 'install-ci-test', 'rebuild']);

/** npm runs the root project's own install scripts on a plain install (no package named), ci and rebuild. */
export function rootScriptsRun(invocation: Pick<NpmInvocation, 'kind' | 'specs'>): boolean {
  return plainInstallKinds.has(invocation.kind) && invocation.specs.length === 0;
}
