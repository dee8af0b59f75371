/**
 * Types of the install-script discovery and replay (see docs in
 * /work/shared/reference/npm-lifecycle-scripts.md). Pure data: no I/O here.
 */

/** The lifecycle events safe-npm may replay, in the order they run for one package. */
export const EVENT_ORDER = ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'] as const;
export type ScriptEvent = (typeof EVENT_ORDER)[number];

/** Where the installed package came from, as far as install scripts are concerned. */
export type CandidateSource =
  | 'root' // the project itself (first-party, approved separately)
  | 'registry' // a registry tarball (name@version from `resolved`, or from the lockfile entry)
  | 'git' // a git dependency (prepare counts: "needs re-pack")
  | 'file' // a local tarball (file:x.tgz)
  | 'link' // a local folder / workspace (file:../dir, link: true): first-party, prepare counts
  | 'remote' // a tarball URL that is not a registry tarball
  | 'bundled' // shipped inside its parent's tarball (inBundle)
  | 'unknown';

/** A script invoked as `node <file>`: what it points at, for review and for the diff. */
export interface ReferencedFile {
  event: ScriptEvent;
  /** As written in the script. */
  file: string;
  /** Path relative to the package folder, when it resolves inside it. */
  relative?: string;
  exists: boolean;
  size?: number;
  sha256?: string;
  /** The first lines (at most 12, each cut at 200 chars). */
  preview?: string[];
  /** Set when the file resolves outside the package folder or cannot be read. */
  problem?: string;
}

/** One installed package (or the root project) that has install-time scripts. */
export interface ScriptCandidate {
  /** The real package name (alias targets resolved): what approvals bind to. */
  name: string;
  version: string;
  /** Lockfile integrity (for bundled deps: the bundling parent's). */
  integrity?: string;
  /** Lockfile `resolved`, when present. */
  resolved?: string;
  /** Lockfile location of the package folder, relative to the project ('' for the root). */
  location: string;
  /** Absolute path of the package folder on disk. */
  path: string;
  /** Where the package is linked from, for `link` sources (node_modules/x -> packages/x). */
  linkedFrom?: string[];
  /** The folder name under node_modules when it differs from `name` (npm alias). */
  alias?: string;
  /** Shortest chain of names from the root project to this package (display only). */
  dependencyPath: string[];
  dev: boolean;
  optional: boolean;
  devOptional: boolean;
  peer: boolean;
  source: CandidateSource;
  isRoot: boolean;
  /** Bundled dependency: shipped inside the parent at `bundledBy` (a location). */
  inBundle: boolean;
  bundledBy?: { location: string; name: string; version: string };
  /** The events that will run, in run order, with the exact command (gyp: `node-gyp rebuild`). */
  scripts: Partial<Record<ScriptEvent, string>>;
  /** `implicit`: `install: node-gyp rebuild` was added for binding.gyp; `suppressed`: gypfile:false. */
  gyp: 'implicit' | 'suppressed' | 'none';
  /** sha256 (hex) over the ordered event -> command list, including the synthetic gyp marker. */
  scriptsDigest: string;
  referencedFiles: ReferencedFile[];
  /** Reasons this candidate must not run even when approved (manifest confusion, missing manifest). */
  problems: string[];
  /** Observations worth showing (hasInstallScript mismatch, prepare of a git dep needs a re-pack). */
  notes: string[];
  /** Locations of the other candidates this one depends on, transitively (through any installed node). */
  dependsOn: string[];
}
