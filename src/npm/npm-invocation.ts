/**
 * The parsed form of an npm command line, as the install flow consumes it. Produced by
 * parse-npm-args.ts from npm's own command and flag definitions (generated tables).
 */

/** What the command does, from safe-npm's point of view. */
export type NpmCommandKind =
  | 'passthrough' // nothing is installed and no package code runs: exec the real npm untouched
  | 'install' // install, i, add, and npm's accepted misspellings
  | 'ci' // ci, clean-install, ic, install-clean, ...
  | 'update' // update, up, upgrade, u, udpate
  | 'install-test' // install-test, it
  | 'install-ci-test' // install-ci-test, cit, sit
  | 'rebuild' // rebuild, rb: goes through our vetted script replay, never npm's
  | 'audit-fix' // audit fix
  | 'dedupe' // dedupe, ddp
  | 'link' // link, ln (with or without package args)
  | 'exec' // exec, x, npx: install a package (scripts off), then run its bin as the invoking user
  | 'init' // init <initializer>: runs create-<initializer>
  | 'reify' // uninstall/rm/un, prune: no new specs, but npm re-installs what is missing (scripts off, non-root)
  | 'safe'; // `safe-npm safe ...`: our own subcommands

export interface NpmSpecRequest {
  /** The argument exactly as typed. */
  raw: string;
  /** npm-package-arg type: 'tag' | 'version' | 'range' | 'alias' | 'git' | 'remote' | 'file' | 'directory'. */
  type: string;
  /** Package name (for aliases: the alias name; the real name is in `registryName`). Undefined for unnamed git/file/remote. */
  name?: string;
  /** The registry package the spec fetches (alias target, or `name`); undefined when not from the registry. */
  registryName?: string;
  /** The version/range/tag asked of the registry ('latest' when none); for non-registry specs the fetch spec. */
  fetchSpec?: string;
  /** True when the code comes from the registry and can be vetted from registry metadata. */
  fromRegistry: boolean;
}

export interface OwnFlags {
  /** --safe-yes / SAFE_NPM_YES=1: accept warn findings (never block, never scripts). */
  yes: boolean;
  /** --safe-strict-scripts / SAFE_NPM_STRICT_SCRIPTS=1 */
  strictScripts: boolean;
  /** --safe-project: also write script approvals to package.json#allowScripts. */
  project: boolean;
  /** Any other --safe-* flag we accept later lands here as raw key=value. */
  other: Record<string, string | boolean>;
}

export interface NpmInvocation {
  kind: NpmCommandKind;
  /** npm's canonical command name ('install', 'ci', 'exec', ...), undefined when none was given. */
  command?: string;
  /** The command word as typed ('isntall'). */
  typedCommand?: string;
  /** Positional package specs of install-like commands, in order. */
  specs: NpmSpecRequest[];
  /** Positional arguments as typed (after the command), for commands like `audit fix`, `safe check x`. */
  positionals: string[];
  /** Where each positional is in `npmArgs` (an argument list rebuilt for another command keeps the flags as typed). */
  positionalIndexes?: number[];
  /** -g / --global / --location=global */
  global: boolean;
  /** -w/--workspace values, or true for --workspaces / -ws. */
  workspaces: string[] | boolean;
  /** The argv for the real npm: the user's argv minus our own --safe-* flags, otherwise byte for byte. */
  npmArgs: string[];
  ownFlags: OwnFlags;
  /** npm config values given on the command line, normalized (`--registry`, `--prefix`, ...), keyed by canonical name. */
  cliConfig: Record<string, string | boolean | string[]>;
  /**
   * exec/npx/init: the packages to install and the command to run after. `command` is undefined
   * when npm picks the bin from the (first) package's manifest (`npx pkg args`, `npm init foo`);
   * it is the --call string for `-c`, or the first positional when --package/-p was given.
   * For exec/init, `specs` holds the same packages.
   */
  exec?: { packages: NpmSpecRequest[]; command?: string; args: string[]; /** `command` is a --call / -c shell string. */ call?: boolean };
  /**
   * The user's `--ignore-scripts=false`, `--no-ignore-scripts`, `--ignore-scripts false` arguments
   * (as typed), removed from npmArgs of install-like commands: scripts stay off.
   */
  ignoredScriptsOverrides?: string[];
  /** Came from the npx shim: npmArgs is then the equivalent `npm exec ...` argv (npx's rewriting applied). */
  viaNpx?: boolean;
  /** One-line notices for the user from parsing (e.g. npx flags npm has removed). */
  warnings?: string[];
}
