/**
 * The one step that changes a root-owned project: the staged results (node_modules, package.json,
 * lockfiles of the project and its workspaces) replace the old ones, after everything else has
 * succeeded. Two phases, recorded in a journal next to package.json:
 *
 *   preparing   new items are written next to the old ones (`node_modules.safe-npm-new`,
 *               `package.json.safe-npm-new`, …); the project itself is unchanged
 *   committing  every new item is complete; they are swapped in by rename, old node_modules aside
 *
 * The function is synchronous on purpose: Node acts on signals only between turns of the event
 * loop, so a Ctrl-C that arrives during the swap is handled after it. A crash (SIGKILL, power) is
 * repaired by the next run (`recoverProject`): a journal in `preparing` is rolled back (the new items
 * deleted), one in `committing` is rolled forward. Either way the project is wholly old or wholly new.
 */
import { closeSync, existsSync, fsyncSync, lchownSync, lstatSync, lutimesSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { copyTreeAs, existsNoFollow as exists, handOverTree, removeTree, writeNewFile } from '../run/fs-ownership.js';
import { readRegularFile } from '../run/user-files.js';
import { isWithin } from '../run/within.js';
import { relocateStagedLockfiles } from './staged-lockfile-paths.js';
import { SafeError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { describeRedirectable, redirectableAt } from '../run/redirectable-path.js';
import { neutralize } from '../ui/neutralize.js';

export const JOURNAL = '.safe-npm-commit.json';
const NEW = '.safe-npm-new';
const OLD = '.safe-npm-old';
/** The files npm writes in a package folder, besides node_modules. */
export const SYNCED_FILES = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json'];

interface JournalEntry {
  /** A package folder of the project (the root or a workspace), absolute. */
  dir: string;
  files: string[];
  nodeModules: boolean;
}

interface Journal {
  pid: number;
  state: 'preparing' | 'committing';
  entries: JournalEntry[];
}

export interface CommitRequest {
  projectDir: string;
  /** The staged copy and the folder it stands for, for every package folder. */
  folders: Array<{ staged: string; original: string }>;
  /**
   * 'move': the staged node_modules is handed over (chown + rename, no copy) — only for a build user
   * no other software shares and whose processes have all exited. 'copy': new files, made by root.
   */
  handover: 'move' | 'copy';
  /** A folder on the same device where old node_modules are moved to be deleted later (else deleted now). */
  trashDir?: string;
  /**
   * npm's engine added, removed and changed no package (an up-to-date `npm install`): a staged
   * node_modules whose hidden lockfile is byte for byte the installed one is the installed tree, and
   * is not swapped in (re-owning and renaming hundreds of folders for nothing).
   */
  noPackageChanged?: boolean;
  /**
   * The staging copy's root: a link npm made there to a folder outside it (an absolute `file:/x`
   * dependency) is made again relative from where it lands (it was relative from the copy, deeper
   * in the temp folder: committed, it led elsewhere or nowhere).
   */
  stageRoot?: string;
}

export interface CommitResult {
  /** Package folders whose node_modules or files changed. */
  changed: string[];
}

export function commitStaged(request: CommitRequest): CommitResult {
  // Paths npm recorded relative to the staging copy, to folders outside it: relative to the project.
  if (request.stageRoot) for (const { staged, original } of request.folders) relocateStagedLockfiles(staged, original, request.stageRoot);
  const entries: JournalEntry[] = [];
  for (const { staged, original } of request.folders) {
    const files = SYNCED_FILES.filter((f) => existsSync(join(staged, f)) && !sameBytes(join(staged, f), join(original, f)));
    const nodeModules = existsSync(join(staged, 'node_modules')) && !(request.noPackageChanged && sameHiddenLockfile(staged, original));
    if (files.length || nodeModules) entries.push({ dir: original, files, nodeModules });
  }
  if (!entries.length) return { changed: [] };
  // Root writes each folder by path: one that another user could redirect (a folder of theirs on the
  // way, such as a workspace's parent) is refused before anything is written (attack trial: a
  // workspace was swapped for a link to a root folder, whose package.json and node_modules root replaced).
  if (process.geteuid?.() === 0) {
    for (const entry of [{ dir: request.projectDir }, ...entries]) {
      const found = redirectableAt(entry.dir);
      if (found) throw new SafeError(`root will not write ${entry.dir}: ${neutralize(describeRedirectable(found))} can be changed by someone other than root, who could put another folder in its place; nothing was changed`, ExitCode.blocked);
    }
  }
  const journalPath = join(request.projectDir, JOURNAL);
  writeJournal(journalPath, { pid: process.pid, state: 'preparing', entries });
  try {
    for (const { staged, original } of request.folders) {
      const entry = entries.find((e) => e.dir === original);
      if (entry) prepare(staged, entry, request.handover, request.stageRoot);
    }
  } catch (error) {
    rollBack(entries);
    rmSync(journalPath, { force: true });
    throw error;
  }
  writeJournal(journalPath, { pid: process.pid, state: 'committing', entries });
  applyAll(entries);
  disposeOld(entries, request.trashDir);
  rmSync(journalPath, { force: true });
  return { changed: entries.map((e) => e.dir) };
}

const HIDDEN_LOCKFILE = join('node_modules', '.package-lock.json');

/** Both have npm's hidden lockfile (the record of what is installed) with the same bytes. */
function sameHiddenLockfile(staged: string, original: string): boolean {
  const a = join(staged, HIDDEN_LOCKFILE);
  const b = join(original, HIDDEN_LOCKFILE);
  return existsSync(a) && existsSync(b) && sameBytes(a, b);
}

/** Write next to the old items: files copied (owner and mode of the old file), node_modules moved or copied. */
function prepare(staged: string, entry: JournalEntry, handover: 'move' | 'copy', stageRoot?: string): void {
  const owner = statSync(entry.dir);
  for (const file of entry.files) {
    const dest = join(entry.dir, file);
    const fresh = dest + NEW;
    rmSync(fresh, { force: true });
    // A new file, never through whatever is at that path by now: the project's owner can put a link
    // there between the removal and the write (to a file of root's, which root would overwrite and
    // hand to them). O_EXCL fails on anything there, a link included; the owner and mode go by descriptor.
    // Root hands the file to the project's owner; anyone else writes as themselves (and may not chgrp).
    const mode = existsSync(dest) ? statSync(dest).mode & 0o755 : 0o644;
    writeNewFile(fresh, readFileSync(join(staged, file)), mode, process.geteuid?.() === 0 ? owner : undefined);
  }
  if (entry.nodeModules) {
    const from = join(staged, 'node_modules');
    const fresh = join(entry.dir, `node_modules${NEW}`);
    // While the tree is still in our private staging area (its writer has exited): once it is in the
    // project, its owner could swap a folder of it for a link to any other, under root's feet.
    if (stageRoot) relinkOutside(from, join(entry.dir, 'node_modules'), stageRoot);
    dropBinsOfRemovedPackages(from);
    removeTree(fresh);
    if (handover === 'move' && sameDevice(from, entry.dir)) {
      handOverTree(from, owner.uid, owner.gid);
      renameSync(from, fresh);
    } else {
      copyTreeAs(from, fresh, owner.uid, owner.gid);
    }
  }
}

/**
 * Links in node_modules/.bin to a package no longer in the tree, removed: npm removes a package's
 * bins with it, but in the staging copy a package linked from outside the project (`npm link x`:
 * `node_modules/x -> ../../x`) leads nowhere, so npm's engine saw no bins to remove, and `npm unlink
 * x` left `.bin/x` dangling. Only links into a package folder that is gone; others are npm's business.
 */
export function dropBinsOfRemovedPackages(nodeModules: string): void {
  const binDir = join(nodeModules, '.bin');
  let bins: string[];
  try {
    bins = readdirSync(binDir);
  } catch {
    return;
  }
  for (const bin of bins) {
    const link = join(binDir, bin);
    let target: string;
    try {
      target = readlinkSync(link);
    } catch {
      continue; // not a link (a Windows-style shim, or a file someone put there)
    }
    const parts = target.split('/');
    if (parts[0] !== '..' || parts.length < 3) continue;
    const name = parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]!;
    if (name === '.bin' || name.startsWith('.') || exists(join(nodeModules, name))) continue;
    rmSync(link, { force: true });
  }
}

/**
 * The links of a staged node_modules folder (its packages, scoped ones too) that lead out of the
 * staging copy, made again to the same folder relative from `live`, where the folder is going.
 * Links inside the copy (workspaces, `file:../x` staged beside it) keep the layout they were made in.
 */
function relinkOutside(staged: string, live: string, stageRoot: string): void {
  const entries = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const names = entries(staged).filter((n) => !n.startsWith('.')).flatMap((n) => (n.startsWith('@') ? entries(join(staged, n)).map((m) => `${n}/${m}`) : [n]));
  for (const name of names) {
    const link = join(staged, name);
    if (!lstatSync(link).isSymbolicLink()) continue;
    const target = resolve(dirname(join(staged, name)), readlinkSync(link));
    if (isWithin(target, stageRoot)) continue;
    const owner = lstatSync(link);
    rmSync(link);
    symlinkSync(relative(dirname(join(live, name)), target), link);
    if (process.geteuid?.() === 0) lchownSync(link, owner.uid, owner.gid);
  }
}

/** The swap: renames only. Idempotent, so that recovery can run it again after a crash. */
function applyAll(entries: JournalEntry[]): void {
  for (const entry of entries) {
    if (entry.nodeModules) {
      const live = join(entry.dir, 'node_modules');
      const fresh = live + NEW;
      if (existsSync(fresh)) {
        if (exists(live)) {
          removeTree(live + OLD);
          renameSync(live, live + OLD);
        }
        renameSync(fresh, live);
      }
    }
    for (const file of entry.files) {
      const dest = join(entry.dir, file);
      if (existsSync(dest + NEW)) renameSync(dest + NEW, dest);
    }
    touchRecord(entry.dir);
  }
}

/**
 * npm writes its record of node_modules (the hidden lockfile) last, and takes a package.json or
 * lockfile newer than it for a project changed since its install. Ours are written by the commit,
 * after npm's record: made the newest again (it is the record of exactly this tree), so that the next
 * `npm install` finds the project up to date (safe-npm's in-place install reads it so too).
 */
function touchRecord(dir: string): void {
  const record = join(dir, 'node_modules', '.package-lock.json');
  if (!lstatSync(record, { throwIfNoEntry: false })?.isFile()) return;
  const now = new Date();
  lutimesSync(record, now, now);
}

function rollBack(entries: JournalEntry[]): void {
  for (const entry of entries) {
    removeTree(join(entry.dir, `node_modules${NEW}`));
    for (const file of entry.files) rmSync(join(entry.dir, file) + NEW, { force: true });
  }
}

function disposeOld(entries: JournalEntry[], trashDir: string | undefined): void {
  entries.forEach((entry, i) => {
    const old = join(entry.dir, `node_modules${OLD}`);
    if (!exists(old)) return;
    if (trashDir && sameDevice(old, trashDir)) {
      try {
        renameSync(old, join(trashDir, `old-node_modules-${i}`));
        return;
      } catch {
        // fall through: delete it here
      }
    }
    removeTree(old);
  });
}

/**
 * Before an install touches the project: finish or undo what an interrupted run left (see the
 * header). Returns one line for the user when something was repaired.
 */
export function recoverProject(projectDir: string): string | undefined {
  const journalPath = join(projectDir, JOURNAL);
  if (!exists(journalPath)) {
    // No journal: what a finished commit, or an older safe-npm, can leave under our own names. (In
    // another user's project the flow calls this as them: see asUserSync.)
    for (const name of [`node_modules${OLD}`, `node_modules${NEW}`, ...SYNCED_FILES.flatMap((f) => [f + NEW, `${f}.safe-npm-tmp`])]) {
      const path = join(projectDir, name);
      if (exists(path)) removeTree(path);
    }
    return undefined;
  }
  let journal: Journal;
  try {
    // Only a journal written by this uid (a project owner cannot plant one in root's name), about
    // folders of the project's owner, is acted on.
    const me = process.geteuid?.() ?? -1;
    if (lstatSync(journalPath).uid !== me) throw new Error('not written by us');
    journal = parseJournal(readRegularFile(journalPath, { maxBytes: 1_000_000, what: 'the commit journal' }));
    const owner = statSync(projectDir).uid;
    if (journal.entries.some((e) => statSync(e.dir).uid !== owner)) throw new Error('names a folder that is not the project owner\'s');
  } catch (error) {
    return `found ${journalPath} but did not act on it (${(error as Error).message}): remove it if no safe-npm is running`;
  }
  if (journal.state === 'committing') applyAll(journal.entries);
  else rollBack(journal.entries);
  disposeOld(journal.entries, undefined);
  rmSync(journalPath, { force: true });
  return journal.state === 'committing'
    ? `completed an install that was interrupted while it was being committed (pid ${journal.pid})`
    : `removed what an interrupted install (pid ${journal.pid}) had prepared; the project was not changed by it`;
}

function parseJournal(text: string): Journal {
  const j = JSON.parse(text) as Journal;
  const ok = j && (j.state === 'preparing' || j.state === 'committing') && Array.isArray(j.entries)
    && j.entries.every((e) => typeof e.dir === 'string' && e.dir.startsWith('/') && Array.isArray(e.files)
      && e.files.every((f) => SYNCED_FILES.includes(f)) && typeof e.nodeModules === 'boolean');
  if (!ok) throw new Error('not a safe-npm commit journal');
  return j;
}

function writeJournal(path: string, journal: Journal): void {
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(journal));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function sameBytes(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}


function sameDevice(a: string, b: string): boolean {
  try {
    return statSync(a).dev === statSync(b).dev;
  } catch {
    return false;
  }
}

/** Every folder with a package.json in the staged tree (outside node_modules), paired with its original. */
export function stagedPackageFolders(stageRoot: string, sourceRoot: string): Array<{ staged: string; original: string }> {
  const out: Array<{ staged: string; original: string }> = [];
  const walk = (dir: string) => {
    if (existsSync(join(dir, 'package.json'))) out.push({ staged: dir, original: join(sourceRoot, relative(stageRoot, dir)) });
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name === '.git') continue;
      walk(join(dir, entry.name));
    }
  };
  walk(stageRoot);
  return out;
}
