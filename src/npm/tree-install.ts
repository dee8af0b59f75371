/**
 * The whole-tree install: npm's own engine (the real npm's arborist) in a child process running as the
 * build user. It resolves the tree (nothing written), the parent vets it, and only then does the same
 * child reify exactly that tree, scripts off. Root-owned projects are resolved and installed in a
 * staging copy the build user owns, copied back on success.
 *
 * The child can be spawned before the request is known (`spawnTreeWorker`): loading arborist then
 * overlaps with safe-npm reading npm's configuration and checking the requested packages.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InstallMode } from './install-mode.js';
import { npmRootOf } from './npm-config.js';
import { isUsableHome, makePrivateArea, npmEnvFor, stageProject, syncBack } from './run-npm-install.js';
import type { ResolvedNode } from './tree-nodes.js';
import type { Packument } from './npm-registry.js';
import type { ResolveMessage } from './arborist-worker.js';

export interface TreeWorkerSpawn {
  realNpm: string;
  mode: InstallMode;
  env: Record<string, string | undefined>;
  /** The invoking user's npmrc: the real npm is not run here, but the private area is shared. */
  userconfigPath?: string;
}

export interface TreeInstallRequest {
  projectDir: string;
  /** npm's flat options of the invoking user (registry, auth, CA, save flags…). */
  options: Record<string, unknown>;
  /** The build user's npm cache folder (shared with the check). */
  cacheDir?: string;
  add: string[];
  update?: string[] | true;
  before?: Date;
  cooldownExclude: string[];
  /** Folders/files named by file: specs, kept next to the staged project. */
  localFolders: string[];
}

export interface TreeInstall {
  /** The tree npm would install; rejects with npm's error (E404, ETARGET…). */
  resolved: Promise<{ nodes: ResolvedNode[]; tooYoung: Array<{ name: string; wanted: string }>; packuments: Record<string, Packument> }>;
  /** Reify exactly the resolved tree; the project is updated only on success. */
  install(): Promise<{ exitCode: number; added: number; removed: number; changed: number; error?: string }>;
  /** Nothing is written; the child and any staging copy go away. */
  cancel(): void;
}

/** A spawned worker, loading arborist, waiting for its request. */
export interface TreeWorker {
  readonly mode: InstallMode;
  start(request: TreeInstallRequest): TreeInstall;
  cancel(): void;
}

const here = dirname(fileURLToPath(import.meta.url));
const workerFiles = ['arborist-worker.js', 'tree-nodes.js'];

/** The real npm's arborist (npm's own engine, same version as the npm the user runs). */
export function arboristOf(realNpm: string): string {
  const roots = [];
  try {
    roots.push(npmRootOf(realNpm));
  } catch { /* a wrapper script, not npm itself */ }
  roots.push(join(dirname(realpathSync(process.execPath)), '..', 'lib', 'node_modules', 'npm'));
  for (const root of roots) {
    const entry = join(root, 'node_modules', '@npmcli', 'arborist', 'lib', 'index.js');
    if (existsSync(entry)) return entry;
  }
  // Last resort: our own copy (readable when safe-npm is installed where the build user can read).
  return createRequire(import.meta.url).resolve('@npmcli/arborist');
}

/** Flat options as data: what survives the trip to the child (functions and caches stay here). */
function transferable(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === 'function' || (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && Object.getPrototypeOf(value) !== Object.prototype)) continue;
    out[key] = value;
  }
  return out;
}

export function spawnTreeWorker(spawnRequest: TreeWorkerSpawn): TreeWorker {
  const { mode } = spawnRequest;
  const user = mode.kind === 'self' ? undefined : mode.user;
  const area = user ? makePrivateArea(user, spawnRequest.userconfigPath) : undefined;
  const cleanup = () => {
    if (area) rmSync(area.root, { recursive: true, force: true });
  };
  // After a successful install the staging copy is only rubbish: it is deleted off the critical
  // path (a detached `rm -rf` of our own private folder), so the shell prompt comes back sooner.
  const cleanupLater = () => {
    if (!area) return;
    try {
      spawn('rm', ['-rf', '--', area.root], { detached: true, stdio: 'ignore' }).unref();
    } catch {
      cleanup();
    }
  };
  let child: ChildProcess;
  try {
    // The worker's code, where the build user can read it (safe-npm's own folder may be private).
    const workerDir = area ? join(area.root, 'worker') : here;
    if (area) {
      mkdirSync(workerDir, { mode: 0o700 });
      for (const file of workerFiles) copyFileSync(join(here, file), join(workerDir, file));
      for (const path of [workerDir, ...workerFiles.map((f) => join(workerDir, f))]) chownSync(path, user!.uid, user!.gid);
      chmodSync(workerDir, 0o700);
    }
    const home = user ? (mode.kind === 'as-owner' && isUsableHome(user) ? user.home : area!.home) : undefined;
    const env = npmEnvFor({ env: spawnRequest.env }, user, home ? { HOME: home } : {});
    child = fork(join(workerDir, 'arborist-worker.js'), ['--safe-npm-arborist-worker', arboristOf(spawnRequest.realNpm)], {
      cwd: area?.root ?? process.cwd(),
      env: env as NodeJS.ProcessEnv,
      execPath: process.execPath,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
  } catch (error) {
    cleanup();
    throw error;
  }
  const worker = child;
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<(m: Record<string, unknown>) => void> = [];
  const deliver = (m: Record<string, unknown>) => {
    const w = waiters.shift();
    if (w) w(m);
    else messages.push(m);
  };
  worker.on('message', (m) => deliver(m as Record<string, unknown>));
  worker.on('exit', (code, signal) => deliver({ type: 'error', code: 'EWORKER', message: `npm's resolver stopped (${signal ?? `exit ${code}`})` }));
  const nextMessage = () => new Promise<Record<string, unknown>>((resolve) => {
    const m = messages.shift();
    if (m) resolve(m);
    else waiters.push(resolve);
  });
  let done = false;
  const cancel = () => {
    if (done) return;
    done = true;
    if (worker.connected) worker.send({ type: 'abort' });
    worker.kill();
    cleanup();
  };

  return {
    mode,
    cancel,
    start(request) {
      const stage = mode.kind === 'staging' && user && area
        ? stageProject(request.projectDir, area.root, user, { extraFolders: request.localFolders })
        : undefined;
      const dir = stage?.project ?? request.projectDir;
      const message: ResolveMessage = {
        type: 'resolve',
        options: {
          ...transferable(request.options),
          path: dir,
          ...(request.cacheDir ? { cache: join(request.cacheDir, '_cacache') } : {}),
          ignoreScripts: true,
          audit: false,
          fund: false,
          progress: false,
        },
        add: request.add,
        update: request.update,
        before: request.before,
        exclude: request.cooldownExclude,
      };
      worker.send(message);
      const resolved = nextMessage().then((m) => {
        if (m.type === 'resolved') {
          return {
            nodes: m.nodes as ResolvedNode[],
            tooYoung: m.tooYoung as Array<{ name: string; wanted: string }>,
            packuments: (m.packuments ?? {}) as Record<string, Packument>,
          };
        }
        throw Object.assign(new Error(String(m.message)), { code: m.code });
      });
      resolved.catch(() => cancel());
      return {
        resolved,
        async install() {
          try {
            await resolved;
            worker.send({ type: 'reify' });
            const m = await nextMessage();
            if (m.type !== 'reified') {
              cleanup();
              return { exitCode: 1, added: 0, removed: 0, changed: 0, error: String(m.message) };
            }
            if (stage) syncBack(stage.root, stage.sourceRoot);
            cleanupLater();
            return { exitCode: 0, added: Number(m.added), removed: Number(m.removed), changed: Number(m.changed) };
          } catch (error) {
            cleanup();
            throw error;
          } finally {
            done = true;
          }
        },
        cancel,
      };
    },
  };
}

/** Spawn and start at once (when nothing was spawned early). */
export function startTreeInstall(spawnRequest: TreeWorkerSpawn, request: TreeInstallRequest): TreeInstall {
  return spawnTreeWorker(spawnRequest).start(request);
}
