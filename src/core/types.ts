/** Types shared by both ecosystems, the checks and the decision. */

export type Ecosystem = 'npm' | 'pypi';
export type Severity = 'info' | 'warn' | 'block';

export interface Finding {
  /** The id of the check that produced it (e.g. "typosquat"). */
  check: string;
  severity: Severity;
  /** One line, plain text, no trailing period needed. */
  message: string;
  /** A suggested replacement name (typosquat). */
  didYouMean?: string;
  /** Extra lines shown in the interactive report (e.g. script text). */
  details?: string[];
}

/** Where a requested package comes from. Only `registry` can be vetted from registry metadata. */
export type SourceKind = 'registry' | 'git' | 'remote' | 'file' | 'directory' | 'unknown';

/**
 * Everything the checks may look at, for one package. Every fact may be `undefined`: unknown
 * (a mirror stripped it, or the registry never provides it). Checks report unknown as info,
 * never as a pass or an alarm.
 */
export interface PackageFacts {
  ecosystem: Ecosystem;
  /** The name as the registry knows it (npm: exact; PyPI: as typed, compare normalized). */
  name: string;
  /** What the user typed, for display and for the JSON report. */
  requested: string;
  source: SourceKind;
  /** The version the tool would install, when known. */
  version?: string | null;
  /** false = the registry answered "no such package"; undefined = not asked (offline) */
  exists?: boolean;
  /** Set when fetching failed (network, TLS, 5xx): the package "could not be verified". */
  fetchError?: string;
  /** When the version requested does not exist although the package does. */
  versionNotFound?: boolean;
  packageCreatedAt?: Date;
  versionPublishedAt?: Date;
  versionCount?: number;
  deprecated?: string;
  /** null = the registry says there is none; undefined = unknown. */
  repository?: string | null;
  description?: string | null;
  /** npm: lifecycle scripts that run at install time (preinstall/install/postinstall, implicit gyp). */
  installScripts?: Record<string, string>;
  /** PyPI: only source distributions are available, so installing runs the package's build code. */
  sdistOnly?: boolean;
  yanked?: string | boolean;
  /** Fields the registry did not send that we would have used (mirror stripping), for one info finding. */
  unknownFields?: string[];
}

export interface Thresholds {
  /** A package first published less than this many days ago is "new". */
  newPackageDays: number;
  /** A chosen version published less than this many days ago is "new". */
  newVersionDays: number;
  /** Fewer versions than this is "few versions". */
  fewVersions: number;
}

export interface CheckContext {
  now: Date;
  thresholds: Thresholds;
  /** Popular names for the ecosystem at hand (see checks/popular-names.ts). */
  popular: PopularNameIndex;
}

/** Answers "is this name popular?" and "which popular name is this one confusable with?". */
export interface PopularNameIndex {
  isPopular(name: string): boolean;
  /** The popular name `name` most likely imitates, with the reason, or undefined. */
  lookAlike(name: string): { target: string; reason: string } | undefined;
}

export interface Check {
  id: string;
  title: string;
  ecosystems?: Ecosystem[];
  /** Whether the check needs facts from the network (skipped by `--offline`). */
  needsNetwork: boolean;
  run(facts: PackageFacts, ctx: CheckContext): Finding[];
}

export type Verdict = 'ok' | 'warn' | 'block';

export interface PackageReport {
  /** As typed by the user (the JSON report's `name`). */
  name: string;
  /** The registry package name (allowlist key), when known; not part of the JSON document. */
  packageName?: string;
  version: string | null;
  verdict: Verdict;
  findings: Finding[];
}
