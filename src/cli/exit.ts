/**
 * The exit stage both entries share: the run's exit code, or an error turned into one line and its
 * named exit code (a stack trace only with SAFE_NPM_DEBUG=1 / SAFE_PIP_DEBUG=1). The only place
 * that sets process.exitCode.
 */
import { SafeError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { neutralize } from '../ui/neutralize.js';

/** `undefined`: the real tool ran in this process and owns the exit code. */
export function exitWith(tool: 'safe-npm' | 'safe-pip', run: Promise<number | undefined>, debug: boolean): void {
  // Once everything is done (the event loop empty, every 'exit' listener of ours and of libraries
  // added by then run first), leave at once: Node's own teardown of the process (its heap) took
  // 35-70 ms, in which our signal handlers were gone and a Ctrl-C killed the process outright — exit
  // 130 with nothing said, the install complete. It also made every command that much slower.
  let settled = false;
  process.once('beforeExit', () => {
    // The event loop emptied with the run still waiting on something that can no longer come (a
    // child's message lost as it exited, once): that is no success. Exit 0 said "installed" after
    // nothing was done.
    if (!settled) {
      process.stderr.write(`${tool}: internal error: the run stopped before it finished (nothing was left to wait for); what it had not done yet was not done — run the command again\n`);
      process.exitCode = ExitCode.internal;
    }
    process.once('exit', () => process.exit());
  });
  run.then(
    (code) => {
      settled = true;
      if (code !== undefined) process.exitCode = code;
    },
    (err: unknown) => {
      settled = true;
      if (err instanceof SafeError) {
        // A message may quote outside text (a spec, npm-package-arg's or pip's words about it).
        process.stderr.write(`${err.message.startsWith(`${tool}:`) ? '' : `${tool}: `}${neutralize(err.message)}\n`);
        process.exitCode = err.exitCode;
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${tool}: internal error: ${neutralize(message.split('\n')[0]!)}\n`);
      if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = ExitCode.internal;
      // The run's own cleanups have run by now; whatever an unexpected error left open (a child still
      // connected) must not keep the command from ending: it hung until killed.
      setTimeout(() => process.exit(), 10_000).unref();
    },
  );
}
