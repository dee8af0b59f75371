/**
 * The cache root (setting `cacheRoot`) holds a cache folder per build user, which root makes and
 * gives to that user. Root does so by path: a cache root another user can write lets them put a link
 * where a user's folder goes, and root then gave them the folder it led to (attack trial: safe-pip
 * chowned a root folder to `nobody` this way). So, for root, it must be root's and writable by root only.
 */
import { mkdirSync, statSync } from 'node:fs';
import { changeSettingCommand, DIRECT, type TypedAs } from '../config/setting-advice.js';
import { UsageError } from '../core/errors.js';
import { shellWord } from '../ui/shell-word.js';

export class CacheRootError extends UsageError {
  constructor(cacheRoot: string, typed: TypedAs) {
    super(`the cache root ${cacheRoot} must belong to root and be writable by root only (chown root: ${shellWord(cacheRoot)} && chmod go-w ${shellWord(cacheRoot)}, or: ${changeSettingCommand('cacheRoot', '<dir>', typed)})`);
  }
}

/** Make the cache root if missing; as root, refuse one that is not root's alone (CacheRootError, exit 64). */
export function ensureCacheRoot(cacheRoot: string, typed: TypedAs = DIRECT): void {
  mkdirSync(cacheRoot, { recursive: true, mode: 0o755 });
  const root = statSync(cacheRoot);
  if (process.geteuid?.() === 0 && (root.uid !== 0 || (root.mode & 0o022) !== 0)) throw new CacheRootError(cacheRoot, typed);
}
