/**
 * Peak memory (issue 13): safe-npm runs npm's engine in a second node process, and both are alive
 * while npm installs, so every megabyte either holds counts against plain npm's one process.
 *
 * `leanHeap()` keeps V8's young generation at its initial size: by default it doubles (up to 16 MB
 * per semi-space, two or three of them) as soon as a busy phase allocates fast, and stays grown.
 * Vetting and resolving allocate many short-lived objects (documents parsed, reduced, dropped), so
 * the grown space is mostly garbage held between scavenges; a small one is scavenged more often but
 * costs little time. The flag is read by V8 whenever the young generation would grow, so setting it
 * at run time works, as long as it comes before the busy phase. It must be set at run time: on the
 * command line (or a fork's execArgv, or NODE_OPTIONS) V8 raises a factor below 2 back to 2 when it
 * configures the heap at startup, and nothing changes.
 *
 * `collectGarbageSoon()` asks for a full collection on the next turn of the event loop: after
 * vetting, what only the vetting needed (documents, the popular-names tables) is garbage, but V8 would
 * not collect it while the process waits idle for npm's engine to install — exactly when the whole
 * run peaks.
 *
 * Also part of npm's engine (bundled into arborist-worker.js): it imports no package.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const LEAN_HEAP_FLAGS: readonly string[] = ['--semi-space-growth-factor=1'];
/** V8's own values of those flags (code V8 caches is tied to its flags: see undoLeanHeap). */
const V8_DEFAULT_FLAGS: readonly string[] = ['--semi-space-growth-factor=2'];

let applied = false;

/** Sets the lean-heap V8 flags in this process (once; never throws: a node without them runs as before). */
export function leanHeap(): void {
  if (applied) return;
  applied = true;
  for (const flag of LEAN_HEAP_FLAGS) {
    try {
      setFlagsFromString(flag);
    } catch {
      // an unknown flag is ignored by V8; nothing else can go wrong that matters here
    }
  }
}

/**
 * V8's own flag values back (at exit, before npm's engine keeps the code V8 compiled: V8 takes cached
 * code only under the flags it was made with, and the next run loads npm under the defaults).
 */
export function undoLeanHeap(): void {
  if (!applied) return;
  applied = false;
  for (const flag of V8_DEFAULT_FLAGS) {
    try {
      setFlagsFromString(flag);
    } catch {
      // as above
    }
  }
}

let collect: (() => void) | undefined | null;

/** V8's `gc()`, without --expose-gc on the command line: the flag set, then read from a fresh context. */
function gcFunction(): (() => void) | undefined {
  if (collect !== undefined) return collect ?? undefined;
  collect = null;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    if (typeof gc === 'function') collect = gc as () => void;
  } catch {
    // no gc to be had: V8 collects on its own schedule
  } finally {
    try {
      // Only our own context gets it: code loaded later (npm's, the user's scripts) sees no `gc`.
      setFlagsFromString('--no-expose-gc');
    } catch { /* as above */ }
  }
  return collect ?? undefined;
}

/**
 * A full garbage collection on the next turn of the event loop (after the caller's frame has let go
 * of what it dropped), and a second one right after it for what the first left to finalizers. Never
 * throws, prints nothing, and does not keep the process alive.
 */
export function collectGarbageSoon(): void {
  const gc = gcFunction();
  if (!gc) return;
  const run = () => {
    try {
      gc();
    } catch { /* nothing to do */ }
  };
  setTimeout(() => {
    run();
    setTimeout(run, 0).unref();
  }, 0).unref();
}

/** Synchronous form, for tests and for a caller that knows nothing else holds what it dropped. */
export function collectGarbageNow(): boolean {
  const gc = gcFunction();
  if (!gc) return false;
  try {
    gc();
    return true;
  } catch {
    return false;
  }
}
