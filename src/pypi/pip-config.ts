/**
 * pip configuration files, merged. When root runs pip as another user, root's own config
 * (~/.config/pip/pip.conf under a mode-700 home) is unreadable to that user, yet it is part of
 * what the user asked for: we pass a private merged copy through PIP_CONFIG_FILE (read last).
 */
import { UsageError } from '../core/errors.js';
import { asUserSync } from '../run/effective-user.js';
import { readRegularFile } from '../run/user-files.js';

/** A pip config file is data: a device or FIFO in its place is refused (exit 64), not read. */
const readPipConfigFile = (path: string) => readRegularFile(path, { what: 'a pip config file', maxBytes: 1024 * 1024 });
import { devNull } from 'node:os';
import { join } from 'node:path';

export type IniSections = Map<string, Map<string, string>>;

/** pip's config files in the order pip reads them (later wins). */
export function pipConfigFiles(env: Record<string, string | undefined>, home: string, venvDir: string | undefined): string[] {
  const xdgDirs = (env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':').filter(Boolean);
  const files = [...xdgDirs.map((d) => join(d, 'pip', 'pip.conf')), '/etc/pip.conf'];
  files.push(join(home, '.pip', 'pip.conf'));
  files.push(join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'pip', 'pip.conf'));
  if (venvDir) files.push(join(venvDir, 'pip.conf'));
  if (env.PIP_CONFIG_FILE) files.push(env.PIP_CONFIG_FILE);
  return files;
}

/** Parse an INI file the way configparser does for pip's needs (sections, key = value, continuation lines). */
export function parseIni(text: string, into: IniSections = new Map()): IniSections {
  let section: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') continue;
    const sec = raw.match(/^\s*\[([^\]]+)\]\s*$/);
    if (sec) {
      const name = sec[1]!.trim();
      section = into.get(name) ?? new Map();
      into.set(name, section);
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(raw) && section && lastKey) {
      section.set(lastKey, `${section.get(lastKey)}\n${raw.trim()}`);
      continue;
    }
    const kv = raw.match(/^([^=:]+?)\s*[=:]\s*(.*)$/);
    if (kv && section) {
      lastKey = kv[1]!.trim().toLowerCase();
      section.set(lastKey, kv[2]!.trim());
    }
  }
  return into;
}

export function writeIni(sections: IniSections): string {
  const out: string[] = [];
  for (const [name, kv] of sections) {
    out.push(`[${name}]`);
    for (const [k, v] of kv) out.push(`${k} = ${v.split('\n').join('\n    ')}`);
    out.push('');
  }
  return out.join('\n');
}

/**
 * The merged config text, or `devNull` when PIP_CONFIG_FILE disables every file. Unreadable or
 * missing files are skipped (pip does the same). The venv's own pip.conf is read as `venvOwner`
 * (root installing into another user's venv): the venv is theirs, and a link they put in its place
 * led root to read a root-only file into the copy handed to them (attack trial).
 */
export function mergedPipConfig(
  env: Record<string, string | undefined>,
  home: string,
  venvDir: string | undefined,
  read = readPipConfigFile,
  venvOwner?: { uid: number; gid: number },
): string {
  if (env.PIP_CONFIG_FILE === devNull) return devNull;
  const merged: IniSections = new Map();
  const venvFile = venvDir === undefined ? undefined : join(venvDir, 'pip.conf');
  for (const file of pipConfigFiles(env, home, venvDir)) {
    let text: string;
    try {
      text = file === venvFile ? asUserSync(venvOwner, () => read(file)) : read(file);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      continue;
    }
    parseIni(text, merged);
  }
  return writeIni(merged);
}

/**
 * The primary index URL pip would use for `pip install`, without running pip: PIP_INDEX_URL (or its
 * alias PIP_PYPI_URL), else `index-url` from the config files ([install] over [global], later files
 * win), else undefined (pip's default, PyPI). For `safe check`, which resolves nothing.
 */
export function effectiveIndexUrl(env: Record<string, string | undefined>, home: string, venvDir: string | undefined, read = readPipConfigFile): string | undefined {
  const fromEnv = env.PIP_INDEX_URL ?? env.PIP_PYPI_URL;
  if (fromEnv?.trim()) return fromEnv.trim();
  if (env.PIP_CONFIG_FILE === devNull) return undefined;
  const merged: IniSections = new Map();
  for (const file of pipConfigFiles(env, home, venvDir)) {
    try {
      parseIni(read(file), merged);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      /* missing or unreadable: pip skips it too */
    }
  }
  for (const section of ['install', 'global']) {
    const kv = merged.get(section);
    if (!kv) continue;
    for (const [key, value] of kv) {
      if (['index-url', 'pypi-url'].includes(key.replace(/_/g, '-')) && value.trim()) return value.trim().split(/\s+/)[0];
    }
  }
  return undefined;
}
