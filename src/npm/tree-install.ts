/**
 * The whole-tree install: npm's own engine (the real npm's arborist) in a child process running as the
 * build user, in its own process group. It resolves the tree (nothing written), the parent vets it,
 * and only then does the same child reify exactly that tree, scripts off. Root-owned projects are
 * resolved and installed in a staging copy the install identity owns, committed into the project in
 * one step once the child has exited (commit-project.ts).
 *
 * The child can be spawned before the request is known (`spawnTreeWorker`): loading arborist then
 * overlaps with safe-npm reading npm's configuration and checking the requested packages.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitStaged, stagedPackageFolders } from './commit-project.js';
import type { InstallMode } from './install-mode.js';
import { npmRootOf } from './npm-config.js';
import { makePrivateArea, npmEnvFor, stageProject, type PrivateArea } from './run-npm-install.js';
import { isUsableHome } from '../run/users.js';
import type { ResolvedNode } from './tree-nodes.js';
import type { Packument } from './npm-registry.js';
import type { ArboristMethod, CiMessage, ResolveMessage, SummaryEntry } from './arborist-worker.js';
import { extraCaFor } from './extra-ca.js';
import { signalGroup, stopGroup, whenExited } from '../run/child-group.js';
import { childMessages, type ChildMessage, type ChildMessages } from '../run/child-messages.js';
import { noInterrupts, type Interrupts } from '../run/interrupts.js';
import { asUserSync } from '../run/effective-user.js';
import { privateFolder, userCacheHome } from '../run/private-folder.js';

export interface TreeWorkerSpawn {
  realNpm: string;
  mode: InstallMode;
  env: Record<string, string | undefined>;
  /** The invoking user's npmrc: the real npm is not run here, but the private area is shared. */
  userconfigPath?: string;
  interrupts?: Interrupts;
  /** Diagnostics (SAFE_NPM_TIMING=1): a named point in time. */
  mark?(label: string): void;
  /** The settings' cacheRoot: the install identity's compiled code is kept there (engineCodeFolder). */
  cacheRoot?: string;
}

export interface TreeInstallRequest {
  /** `install` (and update): npm's resolver computes the tree; `ci`: the lockfile's tree, installed
   * into a staging copy while it is vetted, committed only if it passes. */
  kind?: 'install' | 'ci';
  /** npm uninstall: the packages it removes (what else the project lacks is resolved and vetted). */
  rm?: string[];
  /** npm prune / dedupe / audit fix: the tree as arborist's method of that name computes it. */
  method?: ArboristMethod;
  /** false: only resolve (install: no speculative install into a staging copy; ci: the real npm ci installs). */
  installHere?: boolean;
  projectDir: string;
  /** npm's flat options of the invoking user (registry, auth, CA, save flags…). */
  options: Record<string, unknown>;
  /** The build user's npm cache folder (shared with the check). */
  cacheDir?: string;
  add: string[];
  update?: string[] | true;
  before?: Date;
  cooldownExclude: string[];
  /** Releases published after this are vetted on their full registry document. */
  recentSince?: Date;
  /** Folders/files named by file: specs, kept next to the staged project. */
  localFolders: string[];
  /** install: only entries new or changed against what the project has installed are vetted. */
  onlyNew?: boolean;
}

export interface TreeInstall {
  /** The tree npm would install; rejects with npm's error (E404, ETARGET…). */
  resolved: Promise<{ nodes: ResolvedNode[]; tooYoung: Array<{ name: string; wanted: string }>; packuments: Record<string, Packument> }>;
  /** The registry documents to vet these entries with (reduced to the versions the checks read). */
  docs(entries: ReadonlyArray<{ name: string; version: string; location: string }>): Promise<Record<string, Packument>>;
  /**
   * Reify exactly the resolved tree; the project is updated only on success. npm's summary counts;
   * `diffLines` are the lines npm prints for `--dry-run` / `--long`. `onWritten` is called in the same
   * turn as the project gets its new tree (reified in place, or the staged copy committed): a signal
   * handled after it knows the install was written, even if it ends the process before we return.
   */
  install(onWritten?: () => void): Promise<{ exitCode: number; added: number; removed: number; changed: number; diffLines?: string[]; summary?: InstallSummaryLists; deprecations?: string[]; audit?: AuditOutcome; error?: string; code?: string }>;
  /** Nothing is written; the child is stopped and waited for, the staging copy goes away. */
  cancel(): Promise<void>;
}

/** npm audit fix: the packages audited after the fix, npm's report of what is left, its exit code. */
export interface AuditOutcome {
  audited: number;
  report: string;
  /** The report as npm's --json prints it. */
  json?: unknown;
  exitCode: number;
  /**
   * The registry's audit endpoint failed: npm's warning (its message) and the body it answered;
   * `fields`, what npm's --json prints of the error (message, method, uri, headers, statusCode, body).
   */
  error?: { message: string; body: unknown; fields: Record<string, unknown> };
}

function auditOf(m: ChildMessage): AuditOutcome {
  const error = m.auditError as Record<string, unknown> | undefined;
  return {
    audited: Number(m.audited),
    report: typeof m.auditReport === 'string' ? m.auditReport : '',
    ...(m.auditJson !== undefined ? { json: m.auditJson } : {}),
    exitCode: error ? 1 : Number(m.auditExitCode ?? 0),
    ...(error ? { error: { message: String(error.message ?? ''), body: error.body ?? '', fields: error } } : {}),
  };
}

export interface InstallSummaryLists {
  add: SummaryEntry[];
  change: Array<{ from: SummaryEntry; to: SummaryEntry }>;
  remove: SummaryEntry[];
  funding: number;
}

/** A spawned worker, loading arborist, waiting for its request. */
export interface TreeWorker {
  readonly mode: InstallMode;
  start(request: TreeInstallRequest): TreeInstall;
  cancel(): Promise<void>;
}

/** dist/: the worker's files keep their folders when copied, so its relative imports hold. */
const distRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
// npm's engine: one file, with what it imports of ours bundled in (scripts/bundle.js).
const workerFiles = ['npm/arborist-worker.js'];

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

function sameDevice(a: string, b: string): boolean {
  try {
    return statSync(a).dev === statSync(b).dev;
  } catch {
    return false;
  }
}

/** npm's own check that a lockfile matches package.json (what npm ci runs), from the real npm. */
function validateLockfileOf(realNpm: string): string | undefined {
  try {
    const path = join(npmRootOf(realNpm), 'lib', 'utils', 'validate-lockfile.js');
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
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


/**
 * Node 20 reads and parses NODE_EXTRA_CA_CERTS as it starts (a system bundle: about 50 ms), and the
 * worker's start is on the path of every install: it starts without it, and gets the file with its
 * request (extra-ca.ts).
 */
function withoutStartupCa(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const { NODE_EXTRA_CA_CERTS: _applied, ...rest } = env;
  return rest;
}

/** The worker process: messages in order, and a way to stop it (group, waited for). */
function forkWorker(spawnRequest: TreeWorkerSpawn, area: PrivateArea | undefined): { child: ChildProcess } & ChildMessages {
  const { mode } = spawnRequest;
  const user = mode.kind === 'self' ? undefined : mode.user;
  // The worker's code, where the build user can read it (safe-npm's own folder may be private).
  const workerDir = area ? join(area.root, 'worker') : distRoot;
  if (area && user) {
    const folders = [...new Set(workerFiles.map((f) => dirname(f)))].map((d) => join(workerDir, d));
    // Read here (safe-npm's folder may be closed to the user), written as the user: the area is theirs,
    // and root making and chowning paths in it followed whatever they swapped in (a root folder was
    // chowned to them).
    const code = workerFiles.map((file) => [file, readFileSync(join(distRoot, file))] as const);
    asUserSync(user, () => {
      mkdirSync(workerDir, { mode: 0o700 });
      for (const folder of folders) mkdirSync(folder, { mode: 0o700 });
      for (const [file, bytes] of code) writeFileSync(join(workerDir, file), bytes, { flag: 'wx', mode: 0o600 });
      // Our own package.json, so that node does not take the module type from one above the temp
      // folder: anyone can write /tmp/package.json, and {"type":"commonjs"} there stopped every install.
      writeFileSync(join(workerDir, 'package.json'), '{"type":"module"}\n', { flag: 'wx', mode: 0o600 });
    });
  }
  const home = user ? (mode.kind === 'as-owner' && isUsableHome(user) ? user.home : area!.home) : undefined;
  const env = withoutStartupCa(npmEnvFor({ env: spawnRequest.env }, user, home ? { HOME: home } : {}));
  const codeFolder = engineCodeFolder(mode, spawnRequest.env, spawnRequest.cacheRoot);
  const child = fork(join(workerDir, 'npm', 'arborist-worker.js'), ['--safe-npm-arborist-worker', arboristOf(spawnRequest.realNpm), ...(codeFolder ? [codeFolder] : [])], {
    cwd: area?.root ?? process.cwd(),
    env: env as NodeJS.ProcessEnv,
    execPath: process.execPath,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Its own process group: a Ctrl-C at the terminal reaches us, and we decide how it stops.
    detached: true,
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  return { child, ...childMessages(child, (end) => `npm's resolver stopped (${end})`) };
}

/**
 * Where npm's engine keeps V8's code for npm's modules between runs (code-cache.ts): a folder of the
 * user it runs as, at a path only they and root can change — one's own cache folder; the install
 * identity's beside its npm cache (`<cacheRoot>/<name>/`, made by the flow: none before its first
 * run); a project owner's in their home. None for a uid other software shares (the `nobody`
 * fallback: another process of that uid could put code there).
 */
export function engineCodeFolder(mode: InstallMode, env: Record<string, string | undefined>, cacheRoot?: string): string | undefined {
  if (mode.kind === 'self') {
    const base = userCacheHome(env);
    return base && privateFolder(join(base, 'safe-npm', 'engine-code'), process.geteuid?.() ?? -1);
  }
  const { user } = mode;
  let folder: string | undefined;
  if (mode.kind === 'as-owner') folder = isUsableHome(user) ? join(user.home, '.cache', 'safe-npm', 'engine-code') : undefined;
  else folder = mode.dedicated && cacheRoot ? join(cacheRoot, user.name, 'engine-code') : undefined;
  // As them: the folders made are theirs, and a path they redirected leads nowhere of root's.
  return folder && asUserSync(user, () => privateFolder(folder, user.uid));
}

export function spawnTreeWorker(spawnRequest: TreeWorkerSpawn): TreeWorker {
  const { mode } = spawnRequest;
  const interrupts = spawnRequest.interrupts ?? noInterrupts;
  const user = mode.kind === 'self' ? undefined : mode.user;
  const area = user ? makePrivateArea(user, spawnRequest.userconfigPath, interrupts) : undefined;
  let worker: ReturnType<typeof forkWorker>;
  try {
    worker = forkWorker(spawnRequest, area);
  } catch (error) {
    area?.remove();
    throw error;
  }
  const { child } = worker;
  // On an interrupt: npm's engine rolls an in-place install back on SIGINT/SIGTERM; we wait for it.
  const unregister = interrupts.onInterrupt(async (signal, force) => {
    await stopGroup(child, signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM', force);
  });
  let finished = false;
  // npm ci as oneself (no build user): a private area of one's own for its staging copy.
  let selfArea: PrivateArea | undefined;
  const finish = async (keepArea: 'remove' | 'later') => {
    if (finished) return;
    finished = true;
    unregister();
    await stopGroup(child, 'SIGTERM');
    for (const a of [area, selfArea]) {
      if (keepArea === 'later') a?.removeLater();
      else a?.remove();
    }
  };
  const cancel = async () => {
    worker.post({ type: 'abort' });
    await finish('remove');
  };

  return {
    mode,
    cancel,
    start(request) {
      const ci = request.kind === 'ci';
      const ciHere = ci && request.installHere !== false;
      // npm ci always goes through a staging copy (its node_modules is rebuilt anyway): it is installed
      // there while it is vetted, and the project changes only when it passed.
      // A project without node_modules (a fresh clone) costs nothing to stage: it is resolved and
      // installed in a staging copy too, while the tree is vetted, and committed by rename.
      const fresh = !ci && request.installHere !== false && !existsSync(join(request.projectDir, 'node_modules')) && sameDevice(tmpdir(), request.projectDir);
      const staged = mode.kind === 'staging' || ciHere || fresh;
      const stageArea = staged ? (area ?? (selfArea ??= makePrivateArea(undefined, undefined, interrupts))) : undefined;
      let stage: ReturnType<typeof stageProject> | undefined;
      try {
        stage = staged && stageArea
          // Another user's project is copied as them: root reading the `file:` targets of their package.json
          // (any file of root's) into a folder they own, and writing by path into it, was theirs to steer.
          ? asUserSync(mode.kind === 'as-owner' ? mode.user : undefined, () => stageProject(request.projectDir, stageArea.root, user, { extraFolders: request.localFolders, withNodeModules: !ci, ...(mode.kind === 'as-owner' ? { home: mode.user.home } : {}) }))
          : undefined;
      } catch (error) {
        // Nothing holds this engine yet: stopped here, or the run would wait on it forever.
        void cancel();
        throw error;
      }
      const dir = stage?.project ?? request.projectDir;
      if (stage) spawnRequest.mark?.('staged');
      const options = {
        ...transferable(request.options),
        path: dir,
        ...(request.cacheDir ? { cache: join(request.cacheDir, '_cacache') } : {}),
        ignoreScripts: true,
        // The registry's advisories are asked for only by audit fix: they decide its tree.
        audit: request.method === 'audit',
        fund: false,
        progress: false,
      };
      const extraCa = extraCaFor(spawnRequest.env, options);
      const message: ResolveMessage | CiMessage = ci
        ? { type: 'ci', options, extraCa, validateLockfile: validateLockfileOf(spawnRequest.realNpm), install: ciHere, recentSince: request.recentSince, home: stage?.home }
        : {
          type: 'resolve', options, extraCa, home: stage?.home, add: request.add, update: request.update, before: request.before,
          exclude: request.cooldownExclude, recentSince: request.recentSince, installNow: Boolean(stage), onlyNew: request.onlyNew,
          rm: request.rm, method: request.method,
        };
      worker.post(message);
      const resolved = worker.next().then((m) => {
        if (m.type === 'resolved') {
          const code = m.codeCache as { kept: number; compiled: number } | undefined;
          spawnRequest.mark?.(`resolved ${(m.nodes as unknown[]).length} nodes (${Number(m.fullDocuments ?? 0)} full documents; npm's modules: ${code ? `${code.kept} from kept code, ${code.compiled} compiled` : 'no kept code'})`);
          return {
            nodes: m.nodes as ResolvedNode[],
            tooYoung: m.tooYoung as Array<{ name: string; wanted: string }>,
            packuments: (m.packuments ?? {}) as Record<string, Packument>,
          };
        }
        throw Object.assign(new Error(String(m.message)), { code: m.code });
      });
      resolved.catch(() => void cancel());
      let docsId = 0;
      return {
        resolved,
        async docs(entries) {
          if (!entries.length) return {};
          const id = ++docsId;
          worker.post({ type: 'docs', id, entries: entries.map((e) => ({ name: e.name, version: e.version, location: e.location })) });
          const m = await worker.next();
          if (m.type !== 'docs' || m.id !== id) throw Object.assign(new Error(String(m.message ?? 'npm\'s resolver did not answer')), { code: m.code });
          spawnRequest.mark?.(`documents for ${entries.length} entries (${Number(m.fullDocuments)} full)`);
          return m.docs as Record<string, Packument>;
        },
        async install(onWritten) {
          try {
            await resolved;
            worker.post({ type: 'reify' });
            const m = await worker.next();
            if (m.type !== 'reified') {
              await finish('remove');
              return { exitCode: 1, added: 0, removed: 0, changed: 0, error: String(m.message), ...(typeof m.code === 'string' ? { code: m.code } : {}) };
            }
            // Nothing of the build user may still be running when its work is handed to root.
            await whenExited(child);
            signalGroup(child.pid, 'SIGKILL');
            if (!stage) onWritten?.();
            spawnRequest.mark?.('reified');
            if (stage) {
              // A project another user owns (npm's engine ran as them) is committed as them: its path is
              // theirs to redirect, and root's own renames and writes would follow it anywhere.
              asUserSync(mode.kind === 'as-owner' ? mode.user : undefined, () => commitStaged({
                projectDir: request.projectDir,
                folders: stagedPackageFolders(stage.root, stage.sourceRoot),
                stageRoot: stage.root,
                // A shared build user (the nobody fallback) may still hold a file open: copy instead.
                handover: mode.kind === 'staging' && !mode.dedicated ? 'copy' : 'move',
                trashDir: stageArea!.root,
                noPackageChanged: !ci && Number(m.added) + Number(m.removed) + Number(m.changed) === 0,
              }));
              onWritten?.();
              spawnRequest.mark?.('committed');
            }
            await finish('later');
            // Paths as npm would print them: in the project, not in the staging copy npm wrote.
            const inProject = (e: SummaryEntry): SummaryEntry => ({ ...e, ...(typeof e.path === 'string' && e.path.startsWith(dir) ? { path: request.projectDir + e.path.slice(dir.length) } : {}) });
            const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
            const summary: InstallSummaryLists = {
              add: list<SummaryEntry>(m.add).map(inProject),
              change: list<{ from: SummaryEntry; to: SummaryEntry }>(m.change).map((c) => ({ from: inProject(c.from), to: inProject(c.to) })),
              remove: list<SummaryEntry>(m.remove).map(inProject),
              funding: Number(m.funding ?? 0),
            };
            return { exitCode: 0, added: Number(m.added), removed: Number(m.removed), changed: Number(m.changed), diffLines: Array.isArray(m.diffLines) ? m.diffLines.map(String) : [], summary,
              deprecations: Array.isArray(m.deprecations) ? m.deprecations.map(String) : [],
              ...(typeof m.audited === 'number' ? { audit: auditOf(m) } : {}) };
          } catch (error) {
            await finish('remove');
            throw error;
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
