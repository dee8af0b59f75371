/**
 * The one command that changes a setting, as the user would type it. Its own module, with no
 * imports: the places that give this advice (build identities, the cache root, the sandbox) sit
 * below settings.ts, which imports one of them.
 */

/** How the user typed safe-npm and the environment it ran with: what advice about a setting needs. */
export interface TypedAs {
  /** `npm` through the shim or shell function, otherwise `safe-npm`. */
  command: string;
  env: Record<string, string | undefined>;
  /** Where the setting's environment twin starts: SAFE_PIP_ for safe-pip (default SAFE_NPM_). */
  envPrefix?: 'SAFE_NPM' | 'SAFE_PIP';
}

export const DIRECT: TypedAs = { command: 'safe-npm', env: {} };

/**
 * The command that changes an npm setting for the next run. The environment wins over the config
 * file, so where SAFE_NPM_<NAME> sets it the fix is to unset that variable.
 */
export function changeSettingCommand(key: 'runAsUser' | 'scriptUser' | 'cacheRoot' | 'sandbox', value: string, typed: TypedAs = DIRECT): string {
  const name = `${typed.envPrefix ?? 'SAFE_NPM'}_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
  return typed.env[name] ? `unset ${name}` : `${typed.command} safe config set ${key} ${value}`;
}
