/**
 * Run the real tool with the same argv and stdio, forward SIGINT/SIGTERM/SIGHUP to it, and
 * resolve to its exit code (killed by signal N → 128 + N). node:child_process only: this is the
 * passthrough fast path and must import nothing heavy.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { SafeError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';

export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

/** Where signals arrive (the entry passes `process`). */
export interface SignalSource {
  on(signal: ForwardedSignal, listener: () => void): unknown;
  removeListener(signal: ForwardedSignal, listener: () => void): unknown;
}

export interface PassthroughOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Signals received here are forwarded to the child (and no longer kill us). */
  signals?: SignalSource;
  /** Run as this user (root only; its own group, no others). */
  as?: { uid: number; gid: number };
}

/** 128 + signal number, like a shell reports a child killed by a signal. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  const n = (constants.signals as Record<string, number | undefined>)[signal];
  return 128 + (n ?? 0);
}

export function runPassthrough(bin: string, args: readonly string[], options: PassthroughOptions = {}): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(bin, args, { stdio: 'inherit', env: options.env, cwd: options.cwd, ...(options.as ? { uid: options.as.uid, gid: options.as.gid } : {}) });
    const handlers = FORWARDED_SIGNALS.map((sig) => {
      const fn = (): void => {
        // the terminal usually signals the whole process group already; forwarding covers `kill <our pid>`
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      };
      options.signals?.on(sig, fn);
      return [sig, fn] as const;
    });
    const cleanup = (): void => {
      for (const [sig, fn] of handlers) options.signals?.removeListener(sig, fn);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      const code = err.code === 'ENOENT' ? ExitCode.toolNotFound : ExitCode.toolNotExecutable;
      reject(new SafeError(`cannot run ${bin}: ${err.code ?? err.message}`, code));
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve(code ?? (signal ? exitCodeForSignal(signal) : 1));
    });
  });
}
