/**
 * What a Ctrl-C (SIGINT), SIGTERM or SIGHUP does during an install: every cleanup registered by the
 * phase in progress runs (children of the build user are signalled and waited for, private folders
 * removed, package folders handed back), newest first, and only then does the process exit with
 * 128 + the signal number. A second signal escalates (the cleanups get `force`: SIGKILL).
 *
 * The commit into the project is synchronous code: Node runs signal handlers between turns of the
 * event loop, so a signal that arrives while the project is being swapped is acted on only once the
 * swap is complete ("held"), and the project is wholly old or wholly new.
 */
import { FORWARDED_SIGNALS, exitCodeForSignal, type SignalSource } from './passthrough.js';

export type Cleanup = (signal: NodeJS.Signals, force: boolean) => void | Promise<void>;

export interface Interrupts {
  /** The first signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** Register a cleanup for the phase in progress; the returned function unregisters it. */
  onInterrupt(cleanup: Cleanup): () => void;
  /**
   * Stop as if interrupted, for a reason that is not a signal (a registry that cannot be reached):
   * the same cleanups run, then the process exits with `exitCode` after `message` is said.
   */
  abort(message: string, exitCode: number): void;
  /** Stop listening (before handing the terminal to a command the user asked to run). */
  dispose(): void;
  /**
   * What is already done and stays done (the install was written): said with the interrupt line if
   * a signal comes from now on, so that a late Ctrl-C is not taken for a failed install; said at once
   * when a signal already came (npm finished writing while we were stopping).
   */
  settled(note: string): void;
}

export interface InterruptOptions {
  signals: SignalSource;
  /** Called once every cleanup has finished: exits the process (the entry point's business). */
  exit(code: number, signal?: NodeJS.Signals): void;
  /** Says an abort's message (one line). */
  say?(line: string): void;
  /** Told once, when the first signal arrives (e.g. to print one line), with what was settled. */
  onSignal?(signal: NodeJS.Signals, settled?: string): void;
}

export function watchInterrupts(options: InterruptOptions): Interrupts {
  const cleanups: Cleanup[] = [];
  let first: NodeJS.Signals | undefined;
  let running: Promise<void> | undefined;
  let disposed = false;
  let settledNote: string | undefined;
  let aborted = false;

  const runCleanups = async (signal: NodeJS.Signals, force: boolean) => {
    for (const cleanup of [...cleanups].reverse()) {
      try {
        await cleanup(signal, force);
      } catch {
        // a cleanup that fails must not keep the others from running
      }
    }
  };

  const handler = (signal: NodeJS.Signals) => () => {
    if (first === undefined) {
      first = signal;
      options.onSignal?.(signal, settledNote);
      running = runCleanups(signal, false).then(() => options.exit(exitCodeForSignal(signal), signal));
    } else {
      // Once more: kill hard, then go on waiting for the first round to finish.
      void runCleanups(signal, true);
    }
  };
  const listeners = FORWARDED_SIGNALS.map((sig) => [sig, handler(sig)] as const);
  for (const [sig, fn] of listeners) options.signals.on(sig, fn);

  return {
    received: () => first,
    abort(message, exitCode) {
      if (first !== undefined || disposed) return;
      first = 'SIGTERM';
      aborted = true;
      options.say?.(message);
      running = runCleanups('SIGTERM', false).then(() => options.exit(exitCode));
    },
    onInterrupt(cleanup) {
      cleanups.push(cleanup);
      return () => {
        const at = cleanups.indexOf(cleanup);
        if (at >= 0) cleanups.splice(at, 1);
      };
    },
    settled(note) {
      // A signal that came while the install was being written: its line went out without the note.
      if (first !== undefined && !aborted && settledNote === undefined) options.say?.(note);
      settledNote = note;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const [sig, fn] of listeners) options.signals.removeListener(sig, fn);
      void running;
    },
  };
}

/** For code paths and tests with no signal handling: cleanups are never called. */
export const noInterrupts: Interrupts = {
  received: () => undefined,
  abort: () => {},
  onInterrupt: () => () => {},
  dispose: () => {},
  settled: () => {},
};
