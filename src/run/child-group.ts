/**
 * Children of the build user run in their own process group (spawned `detached`), so that a Ctrl-C
 * at the terminal reaches us first and we decide: they are signalled as a group and waited for,
 * never left running after we exit.
 */
import type { ChildProcess } from 'node:child_process';

/** Signal every process in the child's group (it must have been spawned with `detached: true`). */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Resolves once the child has exited (at once when it already has). */
export function whenExited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

/**
 * Stop a detached child and its whole group: `signal` first (npm's engine rolls an in-place install
 * back on SIGINT/SIGTERM), SIGKILL when `force`; resolves when the child has exited.
 */
export async function stopGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', force = false): Promise<void> {
  signalGroup(child.pid, force ? 'SIGKILL' : signal);
  await whenExited(child);
  // Anything the child left behind in its group goes too.
  signalGroup(child.pid, 'SIGKILL');
}

/** Whether a process with this pid exists (ours or another user's). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
