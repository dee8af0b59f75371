/**
 * THE safe-pip install / download / wheel / lock flow, as its table of contents:
 *   environment probe (no Python started) → who runs pip (never root) → guarded resolve (builds
 *   vetted on the way) → checks → decide/prompt → fetch → inspect → install exactly that.
 * Every side effect comes in through `PipFlowDeps` (pip-session.ts), so unit tests drive it with fakes;
 * each stage lives in a small sibling and returns data (or how the run ends).
 */
import { SafeError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { hasOption, type PipInvocation } from '../pypi/parse-pip-args.js';
import { decideAndPrompt, explainUnresolved } from './pip-decide.js';
import { fetchWheels, inspectFetched, type Fetched } from './pip-fetch.js';
import { finishDryRun, installExactly, releaseHeld, runUserCommand } from './pip-finish.js';
import { checkResolved } from './pip-checks.js';
import { refuseDeclaredUrls } from './pip-builds.js';
import { refuseRemoteEditables, resolveGuarded } from './pip-resolve.js';
import { isOutcome, note, settle, type Outcome, type PipFlowDeps, type PipSession, type Resolved } from './pip-session.js';
import { checkDestinationAgrees, openSession, probeEnvironment, whoRunsPip } from './pip-who.js';
import { neutralize } from '../ui/neutralize.js';

export type { PipFlowDeps } from './pip-session.js';

/** Runs the flow; a choice at the prompt that rewrites the command line runs it again with the new one. */
export async function pipInstallFlow(first: PipInvocation, argv: string[], deps: PipFlowDeps): Promise<number> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const outcome = await installOnce(first, argv, deps);
    if (typeof outcome === 'number') return outcome;
    argv = outcome.rerun;
  }
  throw new SafeError('too many changes at the prompt in one run', ExitCode.internal);
}

async function installOnce(first: PipInvocation, argv: string[], deps: PipFlowDeps): Promise<Outcome> {
  const probed = probeEnvironment(first, argv, deps);
  if ('passthrough' in probed) return deps.passthrough(probed.passthrough);
  const who = whoRunsPip(probed, deps);
  const session = await openSession(probed, who, argv, deps);
  try {
    return await vetAndInstall(session);
  } finally {
    session.work.cleanup();
  }
}

async function vetAndInstall(s: PipSession): Promise<Outcome> {
  refuseRemoteEditables(s);
  s.deps.mark?.('session open');
  const dryRun = hasOption(s.inv.items, '--dry-run');
  // An install is pip's own, held after its one resolve (called off with the session unless let go).
  const resolved = await resolveGuarded(s);
  s.deps.mark?.('resolved');
  if (isOutcome(resolved)) return resolved;
  if ('unresolved' in resolved) return explainUnresolved(resolved, s);
  checkDestinationAgrees(resolved.side, s);
  if (resolved.items.length === 0) {
    if (dryRun) return finishDryRun(resolved, s);
    // pip says what is already satisfied itself.
    if (resolved.held && !resolved.side.pendingBuilds?.length) return releaseHeld(resolved, new Map(), s);
    note(s, 'nothing to install (every requirement is already satisfied)');
    return ExitCode.ok;
  }
  const refused = refuseDeclaredUrls(resolved.items, s);
  if (refused !== undefined) return refused;

  // A held install of wheels only needs nothing fetched: pip's own downloads are read (kept copies).
  const heldWheels = resolved.held && heldCanGoOn(resolved) ? resolved.held : undefined;
  if (resolved.held && !heldWheels) resolved.held.callOff();
  const early = heldWheels ? undefined : fetchEarly(resolved, s);
  const reports = await checkResolved(resolved, s).catch(async (error: unknown) => {
    await early;
    throw error;
  });
  s.deps.mark?.('checked');
  const decided = await decideAndPrompt(reports, s);
  if (decided !== undefined) {
    await early;
    return decided;
  }

  if (s.command !== 'install') return runUserCommand(resolved, s);
  if (heldWheels) {
    const kept = adoptPipDownloads(resolved, s);
    if (kept) {
      s.deps.mark?.('fetched');
      const stop = await inspectAndDecide(resolved, kept, s);
      if (stop !== undefined) return stop;
      return releaseHeld(resolved, kept, s);
    }
    heldWheels.callOff();
  }
  // A dry run predicts the install: the wheels are read too (no build runs for it).
  const fetched = await fetchOutcome(early ?? settle(fetchWheels(resolved, s, { dryRun })));
  if ('code' in fetched) return fetched.code;
  s.deps.mark?.('fetched');
  const stop = await inspectAndDecide(resolved, fetched.wheels, s);
  if (stop !== undefined) return stop;
  if (dryRun) return finishDryRun(resolved, s);
  return installExactly(resolved, fetched.wheels, s);
}

/** Read every wheel about to be installed; what it finds is reported and decided like any finding. */
async function inspectAndDecide(resolved: Resolved, wheels: ReadonlyMap<string, string>, s: PipSession): Promise<Outcome | undefined> {
  const inspected = inspectFetched(resolved.items, wheels, s);
  s.deps.mark?.('inspected');
  return inspected.length ? decideAndPrompt(inspected, s) : undefined;
}

/** A held install can go on by itself when it builds nothing: wheels only, no editable, nothing pending. */
function heldCanGoOn(resolved: Resolved): boolean {
  return !resolved.side.pendingBuilds?.length && resolved.items.every((i) => i.isWheel && !i.editable);
}

/**
 * The wheels pip downloaded for the held install (the guard kept a copy of each), by project; undefined
 * when one is missing (then they are fetched by hash, and the install is the pinned one).
 */
function adoptPipDownloads(resolved: Resolved, s: PipSession): Map<string, string> | undefined {
  for (const item of resolved.items) {
    const filename = decodeURIComponent(item.url.split(/[?#]/)[0]!.split('/').at(-1)!);
    if (!s.work.adoptKept(filename, item.sha256)) return undefined;
  }
  return s.work.wheelFiles();
}

/**
 * Without a prompt, the exact files are fetched into the private folder while the facts are
 * fetched: nothing of it is installed (and no unvetted code runs) before the decision.
 */
function fetchEarly(resolved: Resolved, s: PipSession): Promise<{ value: Fetched } | { error: unknown }> | undefined {
  const dryRun = hasOption(s.inv.items, '--dry-run');
  return s.command === 'install' && !s.deps.interactive ? settle(fetchWheels(resolved, s, { dryRun })) : undefined;
}

async function fetchOutcome(fetched: Promise<{ value: Fetched } | { error: unknown }>): Promise<Fetched> {
  const result = await fetched;
  if ('error' in result) throw result.error;
  return result.value;
}
