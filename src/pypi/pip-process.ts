/**
 * The one home of pip subprocesses and safe-pip's private work folder. Commands are data
 * (`PipCommandSpec`); `runCommand` spawns them (never a shell), as another user when asked.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserAccount } from '../run/users.js';
import { guardPython, type GuardConfig } from './pip-guard.js';

export interface PipCommandSpec {
  file: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  uid?: number;
  gid?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command. `capture`: collect stdout/stderr (stdin inherited); `inherit`: the user's terminal. */
export function runCommand(cmd: PipCommandSpec, stdio: 'inherit' | 'capture'): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(cmd.env)) if (v !== undefined) env[k] = v;
    const child = spawn(cmd.file, cmd.args, {
      cwd: cmd.cwd,
      env,
      uid: cmd.uid,
      gid: cmd.gid,
      stdio: stdio === 'inherit' ? 'inherit' : ['inherit', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (e) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      reject(e);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolvePromise({ code: code ?? (signal === 'SIGINT' ? 130 : 128 + 15), stdout, stderr });
    });
  });
}

/** A private folder (mode 700) owned by the user pip runs as; holds the guard, reports, wheels, TMPDIR. */
export interface WorkDir {
  root: string;
  tmp: string;
  wheels: string;
  /** Wheels pip downloaded while resolving (unverified until their hash is checked). */
  kept: string;
  guardScript: string;
  cleanup(): void;
}

export function makeWorkDir(owner: UserAccount | undefined): WorkDir {
  const root = mkdtempSync(join(tmpdir(), 'safe-pip-'));
  chmodSync(root, 0o700);
  const tmp = join(root, 'tmp');
  const wheels = join(root, 'wheels');
  const kept = join(root, 'kept');
  mkdirSync(tmp, { mode: 0o700 });
  mkdirSync(wheels, { mode: 0o700 });
  mkdirSync(kept, { mode: 0o700 });
  const guardScript = join(root, 'safe_pip_guard.py');
  writeFileSync(guardScript, guardPython, { mode: 0o600 });
  if (owner) for (const p of [root, tmp, wheels, kept, guardScript]) chownSync(p, owner.uid, owner.gid);
  return { root, tmp, wheels, kept, guardScript, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Write a file into the work dir, owned by the pip user. */
export function writeWorkFile(path: string, text: string, owner: UserAccount | undefined): void {
  writeFileSync(path, text, { mode: 0o600 });
  if (owner) chownSync(path, owner.uid, owner.gid);
}

let guardCounter = 0;

/**
 * `python guard.py <pip args>` with a fresh guard config. Returns the command and the sidecar path.
 */
export function guardedPipCommand(opts: {
  python: string;
  work: WorkDir;
  pipArgs: string[];
  allow: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  owner: UserAccount | undefined;
  /** Keep copies of downloaded wheels in this folder (owned by the pip user). */
  keep?: string;
  cooldown?: GuardConfig['cooldown'];
  /** The run's --report file: the guard adds the dependency edges to the sidecar. */
  report?: string;
}): { cmd: PipCommandSpec; sidecar: string } {
  guardCounter += 1;
  const sidecar = join(opts.work.root, `sidecar-${guardCounter}.json`);
  const configPath = join(opts.work.root, `guard-${guardCounter}.json`);
  const config: GuardConfig = {
    allow: opts.allow,
    sidecar,
    ...(opts.keep ? { keep: opts.keep } : {}),
    ...(opts.cooldown ? { cooldown: opts.cooldown } : {}),
    ...(opts.report ? { report: opts.report } : {}),
  };
  writeWorkFile(configPath, JSON.stringify(config), opts.owner);
  return {
    sidecar,
    cmd: {
      file: opts.python,
      args: [opts.work.guardScript, ...opts.pipArgs],
      env: { ...opts.env, SAFE_PIP_GUARD_CONFIG: configPath },
      cwd: opts.cwd,
      uid: opts.owner?.uid,
      gid: opts.owner?.gid,
    },
  };
}
