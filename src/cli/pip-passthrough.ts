/**
 * pip's own commands (list, freeze, show, uninstall, cache, …) go straight to the real pip. Which
 * code that runs is its environment's: root running the pip of a venv another user owns ran their
 * code as root (a `.pth` file in its site-packages: attack trial). So root runs the pip of another
 * user's venv as that user — what safe-pip's installs there do too (pip never runs as root under
 * safe-pip in a venv that is not root's) — and refuses a pip that someone other than root could have
 * changed outside any venv. Everyone else, and root's own pip, run it as it is, at once.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode } from '../core/exit-codes.js';
import { Blocked } from '../core/errors.js';
import { describeRedirectable, redirectableAt } from '../run/redirectable-path.js';
import { runPassthrough } from '../run/passthrough.js';
import { isUsableHome, lookupUser, type UserAccount } from '../run/users.js';
import { shellWord, shellWords } from '../ui/shell-word.js';

/** The site-packages folders of a venv (lib/pythonX.Y/site-packages, lib64 too). */
function sitePackagesOf(venv: string): string[] {
  const out: string[] = [];
  for (const lib of ['lib', 'lib64']) {
    let entries: string[];
    try {
      entries = readdirSync(join(venv, lib));
    } catch {
      continue;
    }
    for (const e of entries) {
      const dir = join(venv, lib, e, 'site-packages');
      if (/^python\d/.test(e) && existsSync(dir)) out.push(dir);
    }
  }
  return out;
}

/**
 * The venv a pip script or interpreter (as found on PATH, not resolved) belongs to, if any: by
 * Python's own rule, a pyvenv.cfg beside it or one folder up makes the folder above its own a venv
 * (the owner moving pyvenv.cfg into bin/ hid it from a check of the folder above: attack trial).
 */
export function venvOf(bin: string): string | undefined {
  const prefix = dirname(dirname(bin));
  return existsSync(join(prefix, 'pyvenv.cfg')) || existsSync(join(dirname(bin), 'pyvenv.cfg')) ? prefix : undefined;
}

export interface PassthroughPlan {
  /** Run as this user (root, another user's venv). */
  as?: UserAccount;
  env: Record<string, string | undefined>;
}

/**
 * How root runs `bin` (a pip script, or python for `-m pip`): as the owner of its venv when that is
 * another user, with their HOME; else as itself, unless someone other than root could change the
 * file or the way to it (refused: 65). Not root: as it is.
 */
export function passthroughPlan(
  bin: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
  isRoot: boolean,
  lookup: (uid: number) => UserAccount | undefined = lookupUser,
): PassthroughPlan {
  if (!isRoot) return { env };
  const venv = venvOf(bin);
  if (venv) {
    // Whose code it runs: the venv's, and its site-packages' (a root venv whose site-packages
    // another user owns or can write ran their .pth as root: attack trial).
    const folders = [venv, ...sitePackagesOf(venv)].map((path) => ({ path, st: statSync(path) }));
    const owners = [...new Set(folders.map((f) => f.st.uid).filter((u) => u !== 0))];
    const open = folders.find((f) => (f.st.mode & 0o022) !== 0);
    if (owners.length > 1 || (owners.length === 0 && open)) {
      const what = owners.length > 1 ? `its folders belong to several users (uids ${owners.join(', ')})` : `${open!.path} is writable by group or others`;
      throw new Blocked(`safe-pip: root will not run ${bin}: ${what}, whose code would run as root; run it as the venv's owner: runuser -u <user> -- ${shellWords([bin, ...args])}`, ExitCode.blocked);
    }
    if (owners.length === 0) return checkedRootOwned(bin, args, env);
    const uid = owners[0]!;
    const owner = lookup(uid);
    if (!owner) throw new Blocked(`safe-pip: root will not run ${bin}: its virtual environment ${venv} belongs to uid ${uid}, which has no account here (its code would run as root)`, ExitCode.blocked);
    // The owner's own HOME (pip's cache and config are theirs there), as for safe-pip's installs.
    // Root's cache folders are not theirs to write (pip warned so and disabled its cache); an owner
    // without a home of their own (a system user's /nonexistent) runs without one, unwarned.
    const { PIP_CACHE_DIR: _rootCache, XDG_CACHE_HOME: _rootCacheHome, ...rest } = env;
    return { as: owner, env: { ...rest, HOME: owner.home, USER: owner.name, LOGNAME: owner.name, ...(isUsableHome(owner) ? {} : { PIP_NO_CACHE_DIR: '1' }) } };
  }
  return checkedRootOwned(bin, args, env);
}

function checkedRootOwned(bin: string, args: readonly string[], env: Record<string, string | undefined>): PassthroughPlan {
  let changeable: string | undefined;
  try {
    const found = redirectableAt(bin);
    const file = statSync(bin);
    changeable = found ? describeRedirectable(found) : file.uid !== 0 ? `the file (uid ${file.uid})` : (file.mode & 0o022) !== 0 ? 'the file (writable by group or others)' : undefined;
  } catch {
    return { env }; // not there: the run says so, as pip's own absence does
  }
  if (changeable) {
    throw new Blocked(`safe-pip: root will not run ${bin}: ${changeable} can be changed by someone other than root, whose code would then run as root; run it as that user: runuser -u <user> -- ${shellWords([bin, ...args])}`, ExitCode.blocked);
  }
  return { env };
}

/** Run the real pip (or `python -m pip`) for a command safe-pip passes through; its exit code. */
export function runPipPassthrough(bin: string, args: string[], env: Record<string, string | undefined>): Promise<number> {
  const plan = passthroughPlan(bin, args, env, process.geteuid?.() === 0);
  if (plan.as) {
    process.stderr.write(`safe-pip: running ${shellWord(bin)} as ${plan.as.name}, who owns its virtual environment (its code does not run as root)\n`);
  }
  return runPassthrough(bin, args, { signals: process, ...(plan.as ? { as: plan.as, env: plan.env } : {}) });
}
