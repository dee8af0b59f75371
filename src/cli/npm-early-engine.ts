/**
 * npm's engine, started before the rest of safe-npm is even loaded: loading arborist (about a fifth
 * of a second) then overlaps with safe-npm loading, reading npm's configuration and checking the
 * requested packages. Imports only what spawning needs.
 *
 * For a user on their own, the engine runs as them. For root, it runs as whoever the flow will pick
 * (the project's owner, or the build identity for a root-owned project), guessed here from the same
 * settings and the same decision (`chooseInstallMode`); the flow uses it only when its own decision
 * is the same (`sameInstallMode`), and stops it otherwise. Anything unusual (identities still to be
 * created, a shared fallback user, a setting that does not read) is left to the flow.
 */
import { statSync } from 'node:fs';
import { SafeStore } from '../config/store.js';
import { applyEnvOverrides } from '../config/settings.js';
import { mayResolveTree } from '../flow/may-resolve-tree.js';
import { chooseInstallMode, type InstallMode } from '../npm/install-mode.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import { nearestPackageRoot } from '../npm/nearest-package-root.js';
import { removeStaleAreas } from '../npm/run-npm-install.js';
import { spawnTreeWorker, type TreeWorker } from '../npm/tree-install.js';
import { resolveBuildIdentities } from '../run/build-identity.js';
import type { Interrupts } from '../run/interrupts.js';
import { lookupUser } from '../run/users.js';
import { processInterrupts } from './npm-interrupts.js';
import { timingMarks } from './timing-marks.js';
import { leanHeap } from '../run/lean-heap.js';
import { checkRootTempDir } from '../run/root-temp-dir.js';

export interface EarlyEngine {
  interrupts: Interrupts;
  worker?: TreeWorker;
}

export async function startEarlyEngine(invocation: NpmInvocation, realNpm: string, env: Record<string, string | undefined>, cwd: string): Promise<EarlyEngine> {
  // An install: this process vets while npm's engine resolves, and both are alive when npm installs.
  // (Here, not in the entry: npm's own commands run in the entry's process as npm tunes them, and a
  // passthrough loads nothing it does not use.)
  // Before anything is made in it (the engine's private area is the first): root's TMPDIR is root's alone.
  checkRootTempDir();
  leanHeap();
  const interrupts = processInterrupts();
  const euid = process.geteuid?.() ?? -1;
  const mark = timingMarks(env, interrupts);
  const guess = !mayResolveTree(invocation) ? undefined : euid !== 0 ? { mode: { kind: 'self' as const }, cacheRoot: undefined } : await guessRootMode(env, cwd);
  const worker = guess ? spawnTreeWorker({ realNpm, mode: guess.mode, env, interrupts, mark, cacheRoot: guess.cacheRoot }) : undefined;
  if (worker) mark?.('npm\'s engine spawned (early)');
  // What a killed run of this user left in the temp folder goes now, while the engine loads (a
  // large temp folder takes tens of milliseconds to list). Root's runs do it for the build users.
  if (euid !== 0) removeStaleAreas([euid]);
  return { interrupts, worker };
}

/** Who the flow will run npm's engine as in this project, when that is plain to see; else undefined. */
async function guessRootMode(env: Record<string, string | undefined>, cwd: string): Promise<{ mode: InstallMode; cacheRoot: string } | undefined> {
  try {
    const settings = applyEnvOverrides((await SafeStore.open({ readOnly: true })).settings(), env, 'SAFE_NPM');
    // Creating an identity (and saying so) is the flow's job: here it only has to exist already.
    const identities = resolveBuildIdentities(settings, { lookup: (u) => lookupUser(u), createSystemUser: () => 'left to the flow' });
    if (identities.warnings.length) return undefined;
    const mode = chooseInstallMode({
      euid: 0,
      projectOwnerUid: statSync(nearestPackageRoot(cwd) ?? cwd).uid,
      global: false,
      lookup: (u) => lookupUser(u),
      identities: () => identities,
      identityNames: [settings.runAsUser, settings.scriptUser],
    });
    return { mode, cacheRoot: settings.cacheRoot };
  } catch {
    return undefined;
  }
}
