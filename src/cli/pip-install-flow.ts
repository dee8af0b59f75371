/** Wires the real side effects into the safe-pip install flow (src/flow/pip-install.ts). */
import { copyFileSync, realpathSync, statSync } from 'node:fs';
import { SafeStore } from '../config/store.js';
import { popularNames } from '../checks/popular-names.js';
import { pipInstallFlow, type PipFlowDeps } from '../flow/pip-install.js';
import type { PipInvocation } from '../pypi/parse-pip-args.js';
import { mergedPipConfig } from '../pypi/pip-config.js';
import { describeEnvironment, environmentForPython } from '../pypi/pip-environment.js';
import { ensurePipCache, openPipWorkspace } from '../pypi/pip-process.js';
import { IndexLookups, pipTimeoutMs } from '../pypi/pypi-index.js';
import { canExecuteAs } from '../pypi/run-as.js';
import { firstClosedFolder } from '../run/can-enter.js';
import { inspectWheels, installedFiles } from '../pypi/wheel-inspect.js';
import { runPassthrough } from '../run/passthrough.js';
import { isRoot, lookupUser, ownerOf } from '../run/users.js';
import { inquirerPrompts } from '../ui/prompts.js';
import { ownPipCommandName } from './own-command.js';

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
    mergedPipConfig: (venvDir) => mergedPipConfig(io.env, io.env.HOME ?? '/root', venvDir),
    pipCacheFor: ensurePipCache,
    passthrough: (pipArgs) => (io.python ? runPassthrough(io.python, ['-m', 'pip', ...pipArgs], { signals: process }) : runPassthrough(io.realPip, pipArgs, { signals: process })),
    openWorkspace: openPipWorkspace,
    indexLookups: () => {
      // pip's own timeout bounds our look-ups too; whatever is still in flight at the end is dropped.
      const lookups = new IndexLookups({ limit: 8, timeoutMs: pipTimeoutMs(io.env) });
      openLookups.add(lookups);
      return lookups;
    },
    inspectWheels: (wheels, sitePackages) => inspectWheels(wheels, installedFiles(sitePackages)),
    copyFile: (from, to) => copyFileSync(from, to),
  };
}

const openLookups = new Set<IndexLookups>();

export async function runPipInstallFlow(invocation: PipInvocation, argv: string[], io: PipFlowIo): Promise<number> {
  try {
    return await pipInstallFlow(invocation, argv, realPipFlowDeps(io));
  } finally {
    for (const lookups of openLookups) lookups.close();
    openLookups.clear();
  }
}
