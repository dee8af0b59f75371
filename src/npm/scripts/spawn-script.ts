import { spawn } from 'node:child_process';
import type { Interrupts } from '../../run/interrupts.js';

/** One script process: a command as data, run in its own process group. */
export interface SpawnRequest {
  command: [string, string[]];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  timeoutMs: number;
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  /** On an interrupt the script's group is killed and waited for before we exit. */
  interrupts?: Interrupts;
}

export interface SpawnResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Set when the process could not be started. */
  error?: string;
}

export type SpawnScript = (req: SpawnRequest) => Promise<SpawnResult>;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Spawn detached (own session and process group), stdin /dev/null, stdout/stderr split into lines.
 * On timeout the whole group gets SIGTERM, then SIGKILL 3 s later. When the main process exits,
 * anything it left running in its group is killed too (install scripts do not get daemons).
 */
export const spawnScript: SpawnScript = (req) =>
  new Promise((resolvePromise) => {
    let timedOut = false;
    let settled = false;
    const child = spawn(req.command[0], req.command[1], {
      cwd: req.cwd,
      env: req.env,
      uid: req.uid,
      gid: req.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
    const feed = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = pending[stream] + chunk.toString('utf8');
      const lines = text.split('\n');
      pending[stream] = lines.pop() ?? '';
      for (const l of lines) req.onLine(stream, l.replace(/\r$/, ''));
    };
    child.stdout?.on('data', feed('stdout'));
    child.stderr?.on('data', feed('stderr'));
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000);
    }, req.timeoutMs);
    const finish = (result: SpawnResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      for (const s of ['stdout', 'stderr'] as const) if (pending[s]) req.onLine(s, pending[s]);
      resolvePromise(result);
    };
    const exited = new Promise<void>((done) => {
      child.once('exit', () => done());
      child.once('error', () => done());
    });
    const unregister = req.interrupts?.onInterrupt(async (_signal, force) => {
      killGroup(child.pid, force ? 'SIGKILL' : 'SIGTERM');
      const hard = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(hard);
    });
    void exited.then(() => unregister?.());
    child.on('error', (error) => finish({ exitCode: null, signal: null, timedOut, error: error.message }));
    child.on('exit', (code, signal) => {
      killGroup(child.pid, 'SIGKILL'); // leftovers in the group
      // Wait for the pipes to drain, but not forever (a process outside the group may hold them).
      const fallback = setTimeout(() => finish({ exitCode: code, signal, timedOut }), 2000);
      child.on('close', () => {
        clearTimeout(fallback);
        finish({ exitCode: code, signal, timedOut });
      });
    });
  });
