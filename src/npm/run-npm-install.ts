/**
 * Runs the real npm for an install-type command, scripts off, never as uid 0 (see install-mode.ts).
 * In staging mode the project is copied into a private area the install identity owns, npm runs
 * there, and on success the results are committed into the project in one step (commit-project.ts).
 * On failure or interruption the project is untouched and the private area is removed.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, type Dirent, type Stats, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { DIRECT, type TypedAs } from '../config/setting-advice.js';
import { UsageError } from '../core/errors.js';
import type { InstallMode } from './install-mode.js';
import { commitStaged, stagedPackageFolders } from './commit-project.js';
import { installGlobalFromStaging, topLevelNames } from './global-install.js';
import { isAlive } from '../run/child-group.js';
import { chownTree, linkTree, removeTree } from '../run/fs-ownership.js';
import type { Interrupts } from '../run/interrupts.js';
import type { Command, RunOptions, RunResult } from '../run/run-command.js';
import { readRegularFileIfExists } from '../run/user-files.js';
import { isUsableHome, type UserAccount } from '../run/users.js';
import { ensureCacheRoot } from '../run/cache-root.js';

export interface NpmInstallJob {
  realNpm: string;
  /** npm argv (own flags already removed); --ignore-scripts is added here. */
  args: string[];
  projectDir: string;
  /** Only for staging-global: npm's global prefix (the user's --prefix / npm_config_prefix honoured). */
  globalPrefix?: string;
  /** Only for staging-global: npm's --force (a global bin may replace a foreign file). */
  force?: boolean;
  /**
   * Only for staging-global: the installed global packages npm's command works on (`uninstall -g x`,
   * `update -g x`; 'all' for `update -g`), staged into the private prefix first: npm then removes or
   * updates them there, and what it changed is carried over to the real prefix.
   */
  globalPackages?: string[] | 'all';
  /** Folders and tarballs the command names (`link ../x`, `install ../x.tgz`): staged beside the project, so relative paths hold. */
  localFolders?: string[];
  /**
   * `link <folder>` in a staged project: npm also links the folder into its global prefix, which the
   * build user cannot (and root's system prefix should not get a link to a project folder by the
   * way): that part goes to a private prefix and is said.
   */
  linkFolders?: boolean;
  env: Record<string, string | undefined>;
  /** The invoking user's npmrc (root's ~/.npmrc): a private copy is handed to the build user. */
  userconfigPath?: string;
  /** The npm cache the build user owns (shared with the check). */
  cacheDir?: string;
  mode: InstallMode;
  interrupts: Interrupts;
  /**
   * Only for staging-global: npm installs into the private prefix while the tree is still being
   * vetted; the packages are handed to the real prefix only once this says yes (no: nothing changes).
   */
  handOverWhen?: Promise<boolean>;
}

export interface NpmInstallOutcome {
  exitCode: number;
  /** Where npm really ran (the staged project in staging mode), for the script replay that follows. */
  ranIn: string;
  /** One line for the user when the install could not be committed (e.g. a global bin conflict). */
  error?: string;
  /** npm's own output, held back until the outcome is known (global installs). */
  output?: { stdout: string; stderr: string };
  /** One line for the user about what was not done as npm would (the global half of `link <folder>`). */
  note?: string;
  /** Installed into the private prefix, not handed over (`handOverWhen` said no). */
  withheld?: boolean;
}

type Runner = (command: Command, options: RunOptions) => Promise<RunResult>;

/**
 * npm must not run scripts, whatever the user or an .npmrc says. The flag goes first: anything after
 * a `--` belongs to the command npm exec runs.
 */
export function withScriptsOff(args: string[]): string[] {
  return ['--ignore-scripts', ...args];
}

/**
 * Our own value for an npm option, placed where it wins over the user's: npm reads its argv left to
 * right, the last value wins, and nothing after a `--` is an option.
 */
export function withOption(args: string[], option: string, value: string): string[] {
  const end = args.indexOf('--');
  return end < 0 ? [...args, option, value] : [...args.slice(0, end), option, value, ...args.slice(end)];
}

export function npmEnvFor(job: Pick<NpmInstallJob, 'env'>, user: UserAccount | undefined, extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...job.env, npm_config_ignore_scripts: 'true', ...extra };
  // The user's own config file is replaced by our private copy (it may be unreadable to the build user).
  delete env.npm_config_userconfig;
  delete env.NPM_CONFIG_USERCONFIG;
  if (user) {
    env.USER = user.name;
    env.LOGNAME = user.name;
    // The build user's prefix is ours to set (staging), never the invoking user's.
    delete env.npm_config_prefix;
    delete env.NPM_CONFIG_PREFIX;
  }
  return env;
}

/**
 * The persistent cache of a build user: <cacheRoot>/<user>/<kind>, owned by that user, mode 700.
 * cacheRoot itself must be root's and writable by nobody else: whoever can write it can swap the
 * user's folder for their own.
 */
export function ensureUserCache(cacheRoot: string, user: UserAccount, kind = 'npm', typed: TypedAs = DIRECT): string {
  ensureCacheRoot(cacheRoot, typed);
  const userDir = join(cacheRoot, user.name);
  // `recursive`: no EEXIST when another run (of this user) makes it between our look and our mkdir.
  mkdirSync(userDir, { recursive: true, mode: 0o700 });
  // A folder left by an earlier user of that name (re-created with another uid) is taken over whole.
  if (lstatSync(userDir).uid !== user.uid) chownTree(userDir, user.uid, user.gid);
  chmodSync(userDir, 0o700);
  const dir = join(userDir, kind);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (lstatSync(dir).uid !== user.uid) chownTree(dir, user.uid, user.gid);
  return dir;
}

export interface PrivateArea {
  root: string;
  home: string;
  npmrc: string;
  /** Remove it now (also done on interrupt). */
  remove(): void;
  /** Remove it off the critical path (a detached rm of our own private folder). */
  removeLater(): void;
}

const AREA_PREFIX = 'safe-npm-area-';

/**
 * A private workspace the build user owns, mode 700: a HOME and a copy of the invoking user's npmrc
 * (it may hold registry tokens: only the build user and root can read it, and it goes with the area,
 * on success, failure or signal). Its name carries our pid, so that a later run can recognise and
 * remove what a killed run left (`removeStaleAreas`).
 */
export function makePrivateArea(user: UserAccount | undefined, userconfigPath: string | undefined, interrupts?: Interrupts): PrivateArea {
  const root = mkdtempSync(join(tmpdir(), `${AREA_PREFIX}${process.pid}-`));
  chmodSync(root, 0o700);
  let unregister = () => {};
  const remove = () => {
    unregister();
    // The build user's folder (a process of theirs may still run): never Node's walk by path.
    removeTree(root);
  };
  unregister = interrupts?.onInterrupt(() => remove()) ?? (() => {});
  try {
    const home = join(root, 'home');
    mkdirSync(home, { mode: 0o700 });
    const npmrc = join(root, 'npmrc');
    const text = userconfigPath ? readRegularFileIfExists(userconfigPath, { what: 'the npm user config', maxBytes: 1024 * 1024 }) ?? '' : '';
    // 'wx': a fresh file in our fresh folder, never through a planted link.
    writeFileSync(npmrc, text, { flag: 'wx', mode: 0o600 });
    if (user) chownTree(root, user.uid, user.gid);
    return {
      root, home, npmrc, remove,
      removeLater() {
        unregister();
        try {
          // cwd '/': it may outlive us, and must not sit in the user's project while it does.
          spawn('/bin/rm', ['-rf', '--', root], { detached: true, stdio: 'ignore', cwd: '/' }).unref();
        } catch {
          removeTree(root);
        }
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}

/** Private areas of runs that are gone (killed, crashed): ours by name, owned by one of our build users. */
export function removeStaleAreas(buildUids: number[], parent = tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const m = new RegExp(`^${AREA_PREFIX}(\\d+)-`).exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    const path = join(parent, name);
    try {
      const st = lstatSync(path);
      // A build user's folder: what it holds is that user's to change while it is removed (removeTree never follows a link).
      if (st.isDirectory() && (buildUids.includes(st.uid) || st.uid === 0)) removeTree(path);
    } catch {
      // gone already
    }
  }
}


export async function runNpmInstall(job: NpmInstallJob, run: Runner): Promise<NpmInstallOutcome> {
  const args = withScriptsOff(job.args);
  const mode = job.mode;
  if (mode.kind === 'self') {
    const env = npmEnvFor(job, undefined, {});
    if (job.env.npm_config_userconfig) env.npm_config_userconfig = job.env.npm_config_userconfig;
    const { exitCode } = await run([job.realNpm, args], { cwd: job.projectDir, env, interrupts: job.interrupts, stdio: 'relay' });
    return { exitCode, ranIn: job.projectDir };
  }

  const user = mode.user;
  const area = makePrivateArea(user, job.userconfigPath, job.interrupts);
  let keepUntilLater = false;
  try {
    const env = npmEnvFor(job, user, {
      HOME: mode.kind === 'as-owner' && isUsableHome(user) ? user.home : area.home,
      ...(job.cacheDir ? { npm_config_cache: job.cacheDir } : {}),
    });
    const userArgs = ['--userconfig', area.npmrc, ...args];
    // The build user's npm runs in its own process group: a Ctrl-C reaches us, and we stop it.
    const asUser = { uid: user.uid, gid: user.gid, detached: true, interrupts: job.interrupts };

    if (mode.kind === 'as-owner') {
      const { exitCode } = await run([job.realNpm, userArgs], { cwd: job.projectDir, env, ...asUser, stdio: 'relay' });
      return { exitCode, ranIn: job.projectDir };
    }

    if (mode.kind === 'staging-global') {
      const prefix = join(area.root, 'prefix');
      mkdirSync(prefix);
      chownSync(prefix, user.uid, user.gid);
      const realPrefix = job.globalPrefix ?? '/usr/local';
      const staged = job.globalPackages ? stageGlobalPackages(realPrefix, prefix, job.globalPackages, user) : new Map<string, string>();
      // Our --prefix goes last: the user's own --prefix is where the result goes, not where npm writes.
      // npm's own report ("added 1 package") is shown once the packages are really in place.
      // A folder installed globally (`-g .`) is linked, not copied: its bins are linked at the handover,
      // as root (npm's linker would chmod the folder's own files, which the build user cannot).
      const globalEnv = job.localFolders?.length ? { ...env, npm_config_bin_links: 'false' } : env;
      const npm = await run([job.realNpm, withOption(userArgs, '--prefix', prefix)], { cwd: area.root, env: globalEnv, ...asUser, stdio: 'pipe' });
      const output = { stdout: npm.stdout, stderr: npm.stderr };
      if (npm.exitCode !== 0) return { exitCode: npm.exitCode, ranIn: prefix, output };
      if (job.handOverWhen && !(await job.handOverWhen)) return { exitCode: 0, ranIn: prefix, withheld: true };
      const outcome = await installGlobalFromStaging(prefix, realPrefix, {
        force: job.force ?? false,
        handover: mode.dedicated ? 'move' : 'copy',
        staged,
      });
      if (outcome.error) return { exitCode: 1, ranIn: prefix, error: outcome.error };
      return { exitCode: 0, ranIn: prefix, output };
    }

    // staging: a copy of the project (and the local folders it references) owned by the build user.
    const stage = stageProject(job.projectDir, area.root, user, { extraFolders: job.localFolders });
    if (job.linkFolders) {
      const privatePrefix = join(area.root, 'global-prefix');
      mkdirSync(join(privatePrefix, 'lib', 'node_modules'), { recursive: true });
      mkdirSync(join(privatePrefix, 'bin'));
      chownTree(privatePrefix, user.uid, user.gid);
      env.npm_config_prefix = privatePrefix;
    }
    const { exitCode } = await run([job.realNpm, userArgs], { cwd: stage.project, env, ...asUser, stdio: 'relay' });
    if (exitCode === 0) {
      commitStaged({
        projectDir: job.projectDir,
        folders: stagedPackageFolders(stage.root, stage.sourceRoot),
        stageRoot: stage.root,
        handover: mode.dedicated ? 'move' : 'copy',
        trashDir: area.root,
      });
      keepUntilLater = true;
    }
    const note = exitCode === 0 && job.linkFolders
      ? `linked into the project only: npm's global link of ${job.localFolders!.join(', ')} (in ${job.globalPrefix ?? 'the global prefix'}) was not made — as root it would put a project folder into the system prefix`
      : undefined;
    return { exitCode, ranIn: job.projectDir, ...(note ? { note } : {}) };
  } finally {
    if (keepUntilLater) area.removeLater();
    else area.remove();
  }
}

/**
 * Installed global packages copied into the private prefix, as the build user's (a global `npm link`
 * stays the link it is): name → its package.json as it was, to tell afterwards what npm changed.
 */
function stageGlobalPackages(realPrefix: string, prefix: string, names: string[] | 'all', user: UserAccount): Map<string, string> {
  const realLib = join(realPrefix, 'lib', 'node_modules');
  const stagedLib = join(prefix, 'lib', 'node_modules');
  const staged = new Map<string, string>();
  const wanted = names === 'all' ? installedGlobalNames(realLib) : names;
  for (const name of wanted) {
    const from = join(realLib, name);
    if (!validGlobalName(name) || !existsSync(from)) continue;
    const to = join(stagedLib, name);
    mkdirSync(dirname(to), { recursive: true });
    const manifest = readRegularFileIfExists(join(from, 'package.json'), { what: 'a global package manifest', maxBytes: 1024 * 1024 });
    if (manifest === undefined) continue; // not a package npm could work on
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
    staged.set(name, manifest);
  }
  if (existsSync(join(prefix, 'lib'))) chownTree(join(prefix, 'lib'), user.uid, user.gid);
  return staged;
}

/** A package name as npm writes one under lib/node_modules (no path tricks). */
function validGlobalName(name: string): boolean {
  return /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name) && !name.split('/').some((part) => part === '.' || part === '..');
}

/** The top-level packages of a global lib folder (scoped ones as @scope/name); none when it is not there. */
export function installedGlobalNames(lib: string): string[] {
  try {
    return topLevelNames(lib);
  } catch {
    return [];
  }
}

export interface Stage {
  /** Mirror of `sourceRoot` inside the private area. */
  root: string;
  sourceRoot: string;
  project: string;
  /**
   * The mirror of the invoking user's home, when a `file:~/…` dependency was staged there: npm's
   * engine takes `~` for its own HOME (the build user's private one), so it is pointed here instead.
   */
  home?: string;
}

/**
 * Copy the project — and every folder a relative `file:` dependency points at — keeping their
 * relative layout, so workspaces and `file:../x` keep resolving, then hand it to the build user.
 */
export function stageProject(
  projectDir: string,
  areaRoot: string,
  user: UserAccount | undefined,
  options: { withNodeModules?: boolean; name?: string; extraFolders?: string[]; /** `~` of `file:~/…` (default: ours) */ home?: string } = {},
): Stage {
  const withNodeModules = options.withNodeModules ?? true;
  const home = options.home ?? homedir();
  const local = localDependencies(projectDir, home);
  const folders = [projectDir, ...local.folders, ...(options.extraFolders ?? []).filter((f) => lstatOf(f).st !== undefined)];
  const sourceRoot = commonAncestor([...folders, ...local.unreadable]);
  // The staged folders keep their own names: npm names a lockfile after the project's folder when
  // package.json has no name (it said "stage" for every such project).
  const root = join(areaRoot, options.name ?? 'stage', basename(sourceRoot) || 'root');
  const nodeModules: string[] = [];
  for (const place of local.unreadable) mkdirSync(join(root, relative(sourceRoot, place)), { recursive: true });
  for (const folder of folders) {
    const target = join(root, relative(sourceRoot, folder));
    if (existsSync(target)) continue; // already copied as part of an enclosing folder
    mkdirSync(dirname(target), { recursive: true });
    cpSync(folder, target, {
      recursive: true,
      verbatimSymlinks: true,
      // Not copied: git data, what an interrupted safe-npm may have left (the next commit cleans it),
      // and node_modules (staged below, by links).
      filter: (src) => {
        if (src.endsWith(`${sep}.git`) || /\.safe-npm-(new|old|tmp)$|\.safe-npm-commit\.json$/.test(src)) return false;
        if (!src.endsWith(`${sep}node_modules`)) return true;
        if (withNodeModules) nodeModules.push(src);
        return false;
      },
    });
  }
  // The folder holding it too: made here, under our umask, it must let the build user in.
  if (user) chownTree(dirname(root), user.uid, user.gid);
  for (const src of nodeModules) stageNodeModules(src, join(root, relative(sourceRoot, src)), user);
  // The home's mirror: the staged `~/x` is at its place below it (the home lies within sourceRoot then).
  const mirrorsHome = local.viaHome && (home === sourceRoot || home.startsWith(sourceRoot === sep ? sep : sourceRoot + sep));
  return { root, sourceRoot, project: join(root, relative(sourceRoot, projectDir)), ...(mirrorsHome ? { home: join(root, relative(sourceRoot, home)) } : {}) };
}

/**
 * The installed node_modules, staged in a fraction of a copy's time: the files as hard links, the
 * folders and links as the build user's own. npm's engine can then add, move and remove packages, but
 * the project's files themselves stay root's — it cannot write them (and it runs no package code).
 * What npm writes in place (its hidden lockfile) and anything it could not read is a real copy.
 * Falls back to a copy when links cannot be made (another file system).
 */
function stageNodeModules(src: string, dest: string, user: UserAccount | undefined): void {
  if (!user || !linkTree(src, dest, user.uid, user.gid)) {
    cpSync(src, dest, { recursive: true, verbatimSymlinks: true });
    if (user) chownTree(dest, user.uid, user.gid);
  }
}

/**
 * Folders and tarballs named by `file:` / relative-path dependencies of the root and its workspaces,
 * outside the project: staged beside the copy, so that npm's engine reads in the copy what the user
 * meant (unstaged, `../x.tgz` led out of the staging copy into the temp folder, where anyone can
 * plant one).
 */
/** lstat as whoever we act as (euid, not uid: access() would answer for root under asUserSync), or why not. */
function lstatOf(path: string): { st?: Stats; code?: string } {
  try {
    return { st: lstatSync(path) };
  } catch (error) {
    return { code: (error as NodeJS.ErrnoException).code };
  }
}

export function localDependencyFolders(projectDir: string): string[] {
  return localDependencies(projectDir, homedir()).folders;
}

/** The folders of localDependencyFolders, and whether one of them was named from the home (`file:~/…`). */
function localDependencies(projectDir: string, home: string): { folders: string[]; viaHome: boolean; unreadable: string[] } {
  const out = new Set<string>();
  const unreadable = new Set<string>();
  let viaHome = false;
  const visit = (dir: string) => {
    const pkg = readJson(join(dir, 'package.json'));
    if (!pkg) return;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const spec of Object.values((pkg[field] ?? {}) as Record<string, string>)) {
        if (typeof spec !== 'string') continue;
        const m = /^(?:file:|link:)?(\.{1,2}\/.*|\/.*|~\/.*)$/.exec(spec);
        if (!m) continue;
        // `~/x` is the invoking user's home, as npm reads it (see Stage.home).
        const target = m[1]!.startsWith('~/') ? join(home, m[1]!.slice(2)) : resolve(dir, m[1]!);
        if (target.startsWith(projectDir + sep) || target === projectDir) continue;
        // lstat, not existsSync: run as the project's owner (asUserSync), access() would answer for root.
        const { st, code } = lstatOf(target);
        // There, but not ours to read (acting as the project's owner): its place is kept, empty, so
        // that npm's paths to it are those it writes in the project (npm, as the owner, reads nothing there either).
        if (code === 'EACCES') unreadable.add(target);
        if (!st || (!st.isDirectory() && !st.isFile())) continue;
        out.add(target);
        if (m[1]!.startsWith('~/')) viaHome = true;
      }
    }
  };
  visit(projectDir);
  // Workspaces: every package.json below the root (node_modules and .git aside) — more than npm's
  // workspace globs may name, which only stages more.
  if (readJson(join(projectDir, 'package.json'))?.workspaces) for (const dir of packageFolders(projectDir, 6)) visit(dir);
  return { folders: [...out], viaHome, unreadable: [...unreadable] };
}


/** Folders below `root` (not itself) holding a package.json, node_modules and .git aside, `depth` levels down at most. */
function packageFolders(root: string, depth: number): string[] {
  const found: string[] = [];
  const walk = (dir: string, left: number) => {
    if (left === 0) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name === 'node_modules' || e.name === '.git') continue;
      const sub = join(dir, e.name);
      if (existsSync(join(sub, 'package.json'))) found.push(sub);
      walk(sub, left - 1);
    }
  };
  walk(root, depth);
  return found;
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function commonAncestor(paths: string[]): string {
  let common = paths[0]!.split(sep);
  for (const p of paths.slice(1)) {
    const parts = p.split(sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(sep) || sep;
}
