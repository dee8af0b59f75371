/**
 * safe-npm as the user typed it, for every command we suggest: `npm` when the run came through the
 * shim or the shell function `safe setup` writes (both go through shims/npm or shims/npx, which set
 * SAFE_NPM_SHIM_DIR), otherwise `safe-npm`.
 */
export function ownCommandName(env: Record<string, string | undefined>): 'npm' | 'safe-npm' {
  return env.SAFE_NPM_SHIM_DIR ? 'npm' : 'safe-npm';
}
