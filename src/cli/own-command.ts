import type { Ecosystem } from '../core/types.js';

/**
 * safe-npm as the user typed it, for every command we suggest: `npm` when the run came through the
 * shim or the shell function `safe setup` writes (both go through shims/npm or shims/npx, which set
 * SAFE_NPM_SHIM_DIR), otherwise `safe-npm`.
 */
export function ownCommandName(env: Record<string, string | undefined>): 'npm' | 'safe-npm' {
  return env.SAFE_NPM_SHIM_DIR ? 'npm' : 'safe-npm';
}

/** What the pip shims may say they were called as: pip, pip3, pip3.11, or `python3 -m pip` (py -3.11 -m pip). */
const typedPip = /^(?:pip(?:\d+(?:\.\d+)?)?|(?:python(?:\d+(?:\.\d+)?)?|py(?: -\d+(?:\.\d+)?(?:-(?:32|64))?)?) -m pip)$/;

/**
 * safe-pip as the user typed it, for every command we suggest: through shims/pip (or the shell
 * function of `safe setup`, or `python -m pip` through shims/python) the name it was called as
 * (SAFE_PIP_INVOKED_AS: `pip3`, `python3 -m pip`, …; `pip` when that is missing or odd), since the
 * shim routes `pip safe …` to us and safe-pip itself is often not on PATH; otherwise `safe-pip`.
 */
export function ownPipCommandName(env: Record<string, string | undefined>): string {
  if (!env.SAFE_PIP_SHIM_DIR) return 'safe-pip';
  const invoked = env.SAFE_PIP_INVOKED_AS ?? '';
  return typedPip.test(invoked) ? invoked : 'pip';
}

/** Our own command for an ecosystem, as the user typed it (see above). */
export function ownCommandFor(ecosystem: Ecosystem, env: Record<string, string | undefined>): string {
  return ecosystem === 'npm' ? ownCommandName(env) : ownPipCommandName(env);
}
