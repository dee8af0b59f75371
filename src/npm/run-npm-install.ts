/**
 * Runs the real npm for an install-type command, scripts off, never as uid 0 (see install-mode.ts).
 * In staging mode the project is copied into a folder the build user owns, npm runs there, and on
 * success the results (package.json, lockfiles, node_modules) are copied back, owned by root and not
 * writable by anyone else. On failure or abort the project is untouched.
 */
import { copyFileSync, cpSync, existsSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, chmodSync, chownSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { InstallMode } from './install-mode.js';
import { chownTree, copyTreeAsRoot } from '../run/fs-ownership.js';
import type { Command, RunOptions, RunResult } from '../run/run-command.js';
import type { UserAccount } from '../run/users.js';

export interface NpmInstallJob {
  realNpm: string;
  /** npm argv (own flags already removed); --ignore-scripts is added here. */
  args: string[];
  projectDir: string;
  /** Only for staging-global: npm's global prefix (e.g. /usr). */
  globalPrefix?: string;
  env: Record<string, string | undefined>;
  /** The invoking user's npmrc (root's ~/.npmrc): a private copy is handed to the build user. */
  userconfigPath?: string;
  /** The npm cache the build user owns (shared with the check). */
  cacheDir?: string;
  mode: InstallMode;
}

export interface NpmInstallOutcome {
  exitCode: number;
  /** Where npm really ran (the staged project in staging mode), for the script replay that follows. */
  ranIn: string;
}

type Runner = (command: Command, options: RunOptions) => Promise<RunResult>;

/**
 * npm must not run scripts, whatever the user or an .npmrc says. The flag goes first: anything after
 * a `--` belongs to the command npm exec runs.
 */
export function withScriptsOff(args: string[]): string[] {
  return ['--ignore-scripts', ...args];
}

export function npmEnvFor(job: Pick<NpmInstallJob, 'env'>, user: UserAccount | undefined, extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...job.env, npm_config_ignore_scripts: 'true', ...extra };
  // The user's own config file is replaced by our private copy (it may be unreadable to the build user).
  delete env.npm_config_userconfig;
  delete env.NPM_CONFIG_USERCONFIG;
  if (user) {
    env.USER = user.name;
    env.LOGNAME = user.name;
  }
  return env;
}

/** mkdir -p for the persistent cache of the build user: <cacheRoot>/<user>/npm, owned by that user. */
export function ensureUserCache(cacheRoot: string, user: UserAccount): string {
  mkdirSync(cacheRoot, { recursive: true, mode: 0o755 });
  const userDir = join(cacheRoot, user.name);
  if (!existsSync(userDir)) mkdirSync(userDir, { mode: 0o700 });
  chownSync(userDir, user.uid, user.gid);
  const dir = join(userDir, 'npm');
  if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
  chownSync(dir, user.uid, user.gid);
  return dir;
}

/** A private workspace the build user owns: a HOME and a copy of the invoking user's npmrc. */
export function makePrivateArea(user: UserAccount, userconfigPath: string | undefined): { root: string; home: string; npmrc: string } {
  const root = mkdtempSync(join(tmpdir(), 'safe-npm-'));
  chmodSync(root, 0o700);
  const home = join(root, 'home');
  mkdirSync(home, { mode: 0o700 });
  const npmrc = join(root, 'npmrc');
  let text = '';
  if (userconfigPath && existsSync(userconfigPath)) text = readFileSync(userconfigPath, 'utf8');
  // 'wx': a fresh file in our fresh folder, never through a planted link.
  writeFileSync(npmrc, text, { flag: 'wx', mode: 0o600 });
  chownTree(root, user.uid, user.gid);
  return { root, home, npmrc };
}


export async function runNpmInstall(job: NpmInstallJob, run: Runner): Promise<NpmInstallOutcome> {
  const args = withScriptsOff(job.args);
  const mode = job.mode;
  if (mode.kind === 'self') {
    const env = npmEnvFor(job, undefined, {});
    if (job.env.npm_config_userconfig) env.npm_config_userconfig = job.env.npm_config_userconfig;
    const { exitCode } = await run([job.realNpm, args], { cwd: job.projectDir, env });
    return { exitCode, ranIn: job.projectDir };
  }

  const user = mode.user;
  const area = makePrivateArea(user, job.userconfigPath);
  try {
    const env = npmEnvFor(job, user, {
      HOME: mode.kind === 'as-owner' && isUsableHome(user) ? user.home : area.home,
      ...(job.cacheDir ? { npm_config_cache: job.cacheDir } : {}),
    });
    const userArgs = ['--userconfig', area.npmrc, ...args];
    const asUser = { uid: user.uid, gid: user.gid };

    if (mode.kind === 'as-owner') {
      const { exitCode } = await run([job.realNpm, userArgs], { cwd: job.projectDir, env, ...asUser });
      return { exitCode, ranIn: job.projectDir };
    }

    if (mode.kind === 'staging-global') {
      const prefix = join(area.root, 'prefix');
      mkdirSync(prefix);
      chownSync(prefix, user.uid, user.gid);
      const { exitCode } = await run([job.realNpm, ['--prefix', prefix, ...userArgs]], { cwd: area.root, env, ...asUser });
      if (exitCode === 0) installGlobalFromStaging(prefix, job.globalPrefix ?? '/usr/local');
      return { exitCode, ranIn: prefix };
    }

    // staging: a copy of the project (and the local folders it references) owned by the build user.
    const stage = stageProject(job.projectDir, area.root, user);
    const { exitCode } = await run([job.realNpm, userArgs], { cwd: stage.project, env, ...asUser });
    if (exitCode === 0) syncBack(stage.root, stage.sourceRoot);
    return { exitCode, ranIn: job.projectDir };
  } finally {
    rmSync(area.root, { recursive: true, force: true });
  }
}

export function isUsableHome(user: UserAccount): boolean {
  try {
    return statSync(user.home).uid === user.uid;
  } catch {
    return false;
  }
}

interface Stage {
  /** Mirror of `sourceRoot` inside the private area. */
  root: string;
  sourceRoot: string;
  project: string;
}

/**
 * Copy the project — and every folder a relative `file:` dependency points at — keeping their
 * relative layout, so workspaces and `file:../x` keep resolving, then hand it to the build user.
 */
export function stageProject(
  projectDir: string,
  areaRoot: string,
  user: UserAccount,
  options: { withNodeModules?: boolean; name?: string; extraFolders?: string[] } = {},
): Stage {
  const withNodeModules = options.withNodeModules ?? true;
  const folders = [projectDir, ...localDependencyFolders(projectDir), ...(options.extraFolders ?? []).filter((f) => existsSync(f))];
  const sourceRoot = commonAncestor(folders);
  const root = join(areaRoot, options.name ?? 'stage');
  for (const folder of folders) {
    const target = join(root, relative(sourceRoot, folder));
    if (existsSync(target)) continue; // already copied as part of an enclosing folder
    mkdirSync(dirname(target), { recursive: true });
    cpSync(folder, target, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !src.endsWith(`${sep}.git`) && (withNodeModules || !src.endsWith(`${sep}node_modules`)),
    });
  }
  chownTree(root, user.uid, user.gid);
  return { root, sourceRoot, project: join(root, relative(sourceRoot, projectDir)) };
}

/** Folders named by `file:` / relative-path dependencies of the root and its workspaces, outside the project. */
export function localDependencyFolders(projectDir: string): string[] {
  const out = new Set<string>();
  const visit = (dir: string) => {
    const pkg = readJson(join(dir, 'package.json'));
    if (!pkg) return;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const spec of Object.values((pkg[field] ?? {}) as Record<string, string>)) {
        const m = /^(?:file:|link:)?(\.{1,2}\/.*|\/.*)$/.exec(spec);
        if (!m) continue;
        const target = resolve(dir, m[1]!);
        if (!target.startsWith(projectDir + sep) && target !== projectDir && existsSync(target) && lstatSync(target).isDirectory()) out.add(target);
      }
    }
  };
  visit(projectDir);
  return [...out];
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

const syncedFiles = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json'];

/**
 * Bring npm's results back: for every staged folder with a package.json (outside node_modules), its
 * manifest and lockfiles when they changed, and its node_modules (replaced whole). Copies are made by
 * root, so they belong to root; group/other write is stripped.
 */
export function syncBack(stageRoot: string, sourceRoot: string): void {
  for (const dir of packageFolders(stageRoot)) {
    const original = join(sourceRoot, relative(stageRoot, dir));
    const owner = statSync(original);
    for (const file of syncedFiles) {
      const staged = join(dir, file);
      if (!existsSync(staged)) continue;
      const dest = join(original, file);
      const changed = !existsSync(dest) || !readFileSync(dest).equals(readFileSync(staged));
      if (changed) {
        const tmp = `${dest}.safe-npm-tmp`;
        copyFileSync(staged, tmp);
        chownSync(tmp, owner.uid, owner.gid);
        chmodSync(tmp, existsSync(dest) ? statSync(dest).mode & 0o7755 : 0o644);
        renameSync(tmp, dest);
      }
    }
    const stagedModules = join(dir, 'node_modules');
    if (existsSync(stagedModules)) replaceFolder(stagedModules, join(original, 'node_modules'), owner.uid, owner.gid);
  }
}

function packageFolders(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (existsSync(join(dir, 'package.json'))) out.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name === '.git') continue;
      walk(join(dir, entry.name));
    }
  };
  walk(root);
  return out;
}

function replaceFolder(from: string, to: string, uid: number, gid: number): void {
  const fresh = `${to}.safe-npm-new`;
  const old = `${to}.safe-npm-old`;
  rmSync(fresh, { recursive: true, force: true });
  copyAsOwner(from, fresh, uid, gid);
  if (existsSync(to)) renameSync(to, old);
  renameSync(fresh, to);
  rmSync(old, { recursive: true, force: true });
}

/**
 * Copy a tree in one pass as new files (never the build user's inodes: a process of that user may
 * still hold one open), owned by `uid:gid`, without group/other write and without set-id bits.
 */
function copyAsOwner(from: string, to: string, uid: number, gid: number): void {
  if (uid === 0 && gid === 0 && process.geteuid?.() === 0 && copyTreeAsRoot(from, to)) return;
  const strip = (mode: number) => mode & 0o755;
  const chownIfNeeded = (path: string, link = false) => {
    if (uid === 0 && gid === 0) return; // we are root: new files are root's already
    if (link) lchownSync(path, uid, gid);
    else chownSync(path, uid, gid);
  };
  const walk = (src: string, dest: string, mode: number) => {
    mkdirSync(dest, { mode: strip(mode) });
    chmodSync(dest, strip(mode));
    chownIfNeeded(dest);
    for (const entry of readdirSync(src, { withFileTypes: true })) {
      const s = join(src, entry.name);
      const d = join(dest, entry.name);
      if (entry.isDirectory()) walk(s, d, lstatSync(s).mode);
      else if (entry.isSymbolicLink()) {
        symlinkSync(readlinkSync(s), d);
        chownIfNeeded(d, true);
      } else if (entry.isFile()) {
        copyFileSync(s, d);
        chmodSync(d, strip(lstatSync(s).mode));
        chownIfNeeded(d);
      }
      // sockets, fifos, devices: not part of an npm install; not copied
    }
  };
  walk(from, to, lstatSync(from).mode);
}

/** Move globally installed packages from the staging prefix into the real one and link their bins. */
export function installGlobalFromStaging(stagingPrefix: string, globalPrefix: string): void {
  const stagedLib = join(stagingPrefix, 'lib', 'node_modules');
  const realLib = join(globalPrefix, 'lib', 'node_modules');
  const realBin = join(globalPrefix, 'bin');
  if (!existsSync(stagedLib)) return;
  mkdirSync(realLib, { recursive: true });
  mkdirSync(realBin, { recursive: true });
  const names: string[] = [];
  for (const entry of readdirSync(stagedLib)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const sub of readdirSync(join(stagedLib, entry))) names.push(`${entry}/${sub}`);
    else names.push(entry);
  }
  for (const name of names) {
    const dest = join(realLib, name);
    mkdirSync(dirname(dest), { recursive: true });
    replaceFolder(join(stagedLib, name), dest, 0, 0);
    const pkg = readJson(join(dest, 'package.json')) ?? {};
    for (const [bin, target] of Object.entries(binsOf(name, pkg.bin))) {
      const link = join(realBin, bin);
      const targetPath = join(dest, target);
      rmSync(link, { force: true });
      symlinkSync(relative(realBin, targetPath), link);
      if (existsSync(targetPath)) chmodSync(targetPath, statSync(targetPath).mode | 0o111);
    }
  }
}

function binsOf(name: string, bin: unknown): Record<string, string> {
  if (typeof bin === 'string') return { [name.split('/').pop()!]: bin };
  if (bin && typeof bin === 'object') {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(bin as Record<string, unknown>)) {
      if (typeof v === 'string' && !k.includes('/') && !k.includes('..')) out[k] = v;
    }
    return out;
  }
  return {};
}
