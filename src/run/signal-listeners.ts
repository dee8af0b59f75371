/**
 * Libraries that hook process signals on import and re-raise them. `conf` writes through
 * `atomically`, whose `when-exit` adds a listener to every signal that, once called, sends the same
 * signal again to this process. With our own handler in place (run/interrupts.ts), one Ctrl-C then
 * arrives twice, and the second escalates: npm's engine was killed (SIGKILL) in the middle of
 * writing a project in place. `withoutSignalHooks` loads such a library and takes the signal
 * listeners it added back off, so signals mean what they mean without it (its 'exit' hook stays:
 * that one cleans its temporary files as we exit).
 */
import { constants } from 'node:os';

const SIGNALS = Object.keys(constants.signals) as NodeJS.Signals[];

export async function withoutSignalHooks<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(SIGNALS.map((sig) => [sig, new Set(process.listeners(sig))]));
  try {
    return await load();
  } finally {
    for (const sig of SIGNALS) {
      for (const listener of process.listeners(sig)) if (!before.get(sig)!.has(listener)) process.removeListener(sig, listener);
    }
  }
}
