/** Wires the real side effects into the safe-pip install flow (src/flow/pip-install.ts). */
import { closeSync, constants, openSync, realpathSync, statSync, writeSync } from 'node:fs';
import { SafeStore } from '../config/store.js';
import { popularNames } from '../checks/popular-names.js';
import { pipInstallFlow, type PipFlowDeps } from '../flow/pip-install.js';
import type { PipInvocation } from '../pypi/parse-pip-args.js';
import { mergedPipConfig } from '../pypi/pip-config.js';
import { describeEnvironment, environmentForPython } from '../pypi/pip-environment.js';
import { ensurePipCache, openPipWorkspace, readWorkFile } from '../pypi/pip-process.js';
import { IndexLookups, pipTimeoutMs } from '../pypi/pypi-index.js';
import { canExecuteAs } from '../pypi/run-as.js';
import { firstClosedFolder } from '../run/can-enter.js';
import { inspectWheels, installedFiles } from '../pypi/wheel-inspect.js';
import { runPipPassthrough } from './pip-passthrough.js';
import { checkRootTempDir } from '../run/root-temp-dir.js';
import { isRoot, lookupUser, ownerOf } from '../run/users.js';
import { inquirerPrompts } from '../ui/prompts.js';
import { ownPipCommandName } from './own-command.js';
import { dirname } from 'node:path';
import { UsageError } from '../core/errors.js';
import { describeRedirectable, redirectableAt } from '../run/redirectable-path.js';

export interface PipFlowIo {
  env: Record<string, string | undefined>;
  cwd: string;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  realPip: string;
  /** `python -m pip` (shims/python): this interpreter's pip, not a pip script. */
  python?: string;
}

export function realPipFlowDeps(io: PipFlowIo): PipFlowDeps {
  const mark = io.env.SAFE_PIP_TIMING === '1' ? (label: string) => void process.stderr.write(`safe-pip: ${Math.round(performance.now())} ms ${label}\n`) : undefined;
  return {
    mark,
    env: io.env,
    cwd: io.cwd,
    interactive: io.stdinIsTTY && io.stdoutIsTTY,
    color: io.stdoutIsTTY,
    realPip: io.realPip,
    // For the commands our messages suggest: as the user typed safe-pip (`pip safe …` through the shim).
    ownCommand: ownPipCommandName(io.env),
    now: () => new Date(),
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    openStore: () => SafeStore.open(),
    prompts: inquirerPrompts,
    popular: () => popularNames('pypi'),
    probeEnvironment: (python) => (python ? environmentForPython(python, io.cwd) : io.python ? environmentForPython(io.python, io.cwd) : describeEnvironment(io.realPip)),
    isRoot,
    ownerOf,
    lookupUser: (uid) => lookupUser(uid),
    canExecute: (path, user) => canExecuteAs(path, user, { realpath: realpathSync, stat: statSync }),
    closedFolder: (path, user) => firstClosedFolder(path, user),
    mergedPipConfig: (venvDir, venvOwner) => mergedPipConfig(io.env, io.env.HOME ?? '/root', venvDir, undefined, venvOwner),
    pipCacheFor: (owner, cacheRoot) => ensurePipCache(owner, cacheRoot, { command: ownPipCommandName(io.env), env: io.env, envPrefix: 'SAFE_PIP' }),
    // As root, another user's venv's pip runs as them (cli/pip-passthrough.ts).
    passthrough: (pipArgs) => (io.python ? runPipPassthrough(io.python, ['-m', 'pip', ...pipArgs], io.env) : runPipPassthrough(io.realPip, pipArgs, io.env)),
    openWorkspace: openPipWorkspace,
    indexLookups: () => {
      // pip's own timeout bounds our look-ups too; whatever is still in flight at the end is dropped.
      const lookups = new IndexLookups({ limit: 8, timeoutMs: pipTimeoutMs(io.env) });
      openLookups.add(lookups);
      return lookups;
    },
    inspectWheels: (wheels, sitePackages, owner) => {
      const read = (path: string) => readWorkFile(path, owner);
      return inspectWheels(wheels, installedFiles(sitePackages, read), read);
    },
    writeReport: writeReportFile,
  };
}

const openLookups = new Set<IndexLookups>();

export async function runPipInstallFlow(invocation: PipInvocation, argv: string[], io: PipFlowIo): Promise<number> {
  checkRootTempDir();
  try {
    return await pipInstallFlow(invocation, argv, realPipFlowDeps(io));
  } finally {
    for (const lookups of openLookups) lookups.close();
    openLookups.clear();
  }
}

/** pip's report at the path the user gave: created (mode 644 under the umask) or truncated, never through a link. */
function writeReportFile(to: string, text: string): void {
  // Root writes where the path leads: a folder on the way that another user can change would let
  // them lead it to any file of root's (attack trial: a link in their folder to a root folder).
  if (process.geteuid?.() === 0) {
    const found = redirectableAt(dirname(to));
    if (found) throw new UsageError(`pip's report was not written to ${to}: ${describeRedirectable(found)} can be changed by someone other than root`);
  }
  let fd: number;
  try {
    fd = openSync(to, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY, 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ELOOP' ? `pip's report was not written: ${to} is a link (written through, it could lead anywhere)` : `pip's report was not written to ${to} (${code ?? 'error'})`);
  }
  try {
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  } finally {
    closeSync(fd);
  }
}
