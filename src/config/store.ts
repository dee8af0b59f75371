import type { Ecosystem } from '../core/types.js';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError, SafeError, UsageError } from '../core/errors.js';
import { foreignRootFolder, rootFolderAdvice } from '../run/root-own-folder.js';
import { mergeSettings, type Settings } from './settings.js';
import { readRegularFileIfExists } from '../run/user-files.js';
import { withStoreLock } from './store-lock.js';
import { withoutSignalHooks } from '../run/signal-listeners.js';

/** The store is a small JSON file: anything bigger is not ours. */
const MAX_STORE_BYTES = 10 * 1024 * 1024;

/** A remembered script/build decision, pinned to what the user saw. */
export interface ScriptDecision {
  decision: 'allow' | 'deny';
  /** name@version for allow; bare name for deny (a deny covers every version). */
  key: string;
  integrity?: string;
  scriptsDigest?: string;
  /** The approval grants network access inside the sandbox (binary downloaders). */
  network?: boolean;
  /** The scripts as approved, to show a diff when they change. */
  scripts?: Record<string, string>;
  /** Files run as `node <file>` by the approved scripts: path in the package -> sha256 (hex). */
  files?: Record<string, string>;
  at: string;
}

export interface TrustEntry {
  at: string;
}

interface StoreShape {
  settings?: Partial<Settings>;
  trusted?: Record<string, TrustEntry>;
  scripts?: Record<string, ScriptDecision>;
}

/**
 * The per-user store (conf, honouring XDG_CONFIG_HOME): settings, trusted packages, script
 * decisions. Keys are "ecosystem:name" (PyPI names normalized by the caller). A file that cannot be
 * parsed is a ConfigError — never an empty, allow-all store.
 */
/** Where conf keeps the store: its env-paths config folder for "safe-npm" (XDG_CONFIG_HOME honoured). */
export function storePath(cwd?: string, env: Record<string, string | undefined> = process.env): string {
  const dir = cwd ?? join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'safe-npm');
  return join(dir, 'config.json');
}

/** The store as plain data, for the non-interactive install path that only reads (no conf import). */
class ReadOnlyConf {
  readonly path: string;
  readonly store: StoreShape;
  constructor(path: string) {
    this.path = path;
    const text = readRegularFileIfExists(path, { what: 'the safe-npm config', maxBytes: MAX_STORE_BYTES });
    this.store = text === undefined ? {} : (JSON.parse(text) as StoreShape);
    if (!this.store || typeof this.store !== 'object' || Array.isArray(this.store)) throw new Error('not a JSON object');
  }
  get(key: string, fallback?: unknown): never {
    let value: unknown = this.store;
    for (const part of key.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    return (value === undefined ? fallback : value) as never;
  }
  set(): never {
    throw new Error('the safe-npm store was opened read-only');
  }
}

export class SafeStore {
  private constructor(private readonly conf: import('conf').default<StoreShape>) {}

  /**
   * `readOnly`: read the file directly (fast, for runs that cannot prompt); otherwise through conf,
   * which also writes. Either way a corrupt file is a ConfigError, never an empty store.
   */
  static async open(options: { cwd?: string; readOnly?: boolean } = {}): Promise<SafeStore> {
    const path = storePath(options.cwd);
    // As root, a store another user can change would let them trust and approve packages for root.
    const foreign = foreignRootFolder(dirname(path));
    if (foreign) {
      throw new UsageError(`root will not use the safe-npm store in ${dirname(path)}: ${foreign} can be changed by someone other than root, who could trust or approve packages for root; ${rootFolderAdvice('XDG_CONFIG_HOME', process.env)}`);
    }
    const fail = (error: unknown) => {
      if (error instanceof SafeError) return error;
      return new ConfigError(`cannot read the safe-npm config ${path}: ${(error as Error).message.split('\n')[0]} (fix or delete the file)`);
    };
    // A device or FIFO in its place is refused before anything reads it (conf would read forever).
    let readOnly: ReadOnlyConf;
    try {
      readOnly = new ReadOnlyConf(path);
    } catch (error) {
      throw fail(error);
    }
    if (options.readOnly) return new SafeStore(readOnly as never);
    const { default: Conf } = await withoutSignalHooks(() => import('conf'));
    try {
      const conf = new Conf<StoreShape>({
        projectName: 'safe-npm',
        projectSuffix: '',
        cwd: options.cwd,
        clearInvalidConfig: false,
        // Approvals and trust are the user's own: nobody else reads or writes them.
        configFileMode: 0o600,
      });
      // Touch the store once so a corrupt file fails here, with a clear message.
      void conf.store;
      return new SafeStore(conf);
    } catch (error) {
      throw fail(error);
    }
  }

  get path(): string {
    return this.conf.path;
  }

  settings(): Settings {
    return mergeSettings(this.conf.get('settings'));
  }

  getSetting(key: string): unknown {
    return this.conf.get(`settings.${key}` as never);
  }

  setSetting(key: string, value: unknown): void {
    this.change(() => this.conf.set(`settings.${key}` as never, value as never));
  }

  isTrusted(ecosystem: Ecosystem, name: string): boolean {
    return Boolean(this.conf.get('trusted', {})[trustKey(ecosystem, name)]);
  }

  trust(ecosystem: Ecosystem, name: string, now = new Date()): void {
    this.change(() => {
      const trusted = { ...this.conf.get('trusted', {}) };
      trusted[trustKey(ecosystem, name)] = { at: now.toISOString() };
      this.conf.set('trusted', trusted);
    });
  }

  /** Returns whether the name was trusted before. */
  untrust(ecosystem: Ecosystem, name: string): boolean {
    return this.change(() => {
      const trusted = { ...this.conf.get('trusted', {}) };
      const key = trustKey(ecosystem, name);
      const had = key in trusted;
      delete trusted[key];
      this.conf.set('trusted', trusted);
      return had;
    });
  }

  trustedNames(ecosystem: Ecosystem): string[] {
    const prefix = `${ecosystem}:`;
    return Object.keys(this.conf.get('trusted', {}))
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length))
      .sort();
  }

  scriptDecisions(ecosystem: Ecosystem): Record<string, ScriptDecision> {
    const prefix = `${ecosystem}:`;
    const out: Record<string, ScriptDecision> = {};
    for (const [k, v] of Object.entries(this.conf.get('scripts', {}))) {
      if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    }
    return out;
  }

  /** `key` is name@version for allow, the bare name for deny. */
  recordScriptDecision(ecosystem: Ecosystem, decision: ScriptDecision): void {
    this.change(() => {
      const scripts = { ...this.conf.get('scripts', {}) };
      scripts[`${ecosystem}:${decision.key}`] = decision;
      this.conf.set('scripts', scripts);
    });
  }

  removeScriptDecision(ecosystem: Ecosystem, key: string): boolean {
    return this.change(() => {
      const scripts = { ...this.conf.get('scripts', {}) };
      const k = `${ecosystem}:${key}`;
      const had = k in scripts;
      delete scripts[k];
      this.conf.set('scripts', scripts);
      return had;
    });
  }

  /**
   * Every change is a read-modify-write of the file another run may be changing too: under the
   * store's lock, and read fresh inside it (conf reads the file on every get). What the change does
   * not touch — other entries, keys we do not know (a hand-edited file) — is written back as read.
   */
  private change<T>(fn: () => T): T {
    return withStoreLock(this.conf.path, fn);
  }
}

function trustKey(ecosystem: Ecosystem, name: string): string {
  return `${ecosystem}:${name}`;
}
