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
  /** The chosen version's release facts, and those of the version it is compared with (issue 5). */
  release?: ReleaseFacts;
  previousRelease?: ReleaseFacts;
  /** Why this is the comparison point: the version being replaced in the lockfile, or the previous release. */
  previousReason?: 'replaced' | 'previous-release';
  /** No version was old enough for the release cooldown, so the newest match was chosen (a warn). */
  cooldownLifted?: boolean;
  /**
   * Whether the registry's publish times read as a timeline (checks/timeline.ts): a mirror's copy
   * dates do not. undefined = too few versions to judge. Dormancy and "new dependency" warn only
   * on a consistent timeline.
   */
  timeline?: 'consistent' | 'inconsistent';
  /** Dependency path from the project root, for transitive packages (display). */
  dependencyPath?: string[];
}

/** What one published version looked like: compared between versions to spot a compromised release. */
export interface ReleaseFacts {
  version: string;
  publishedAt?: Date;
  /** preinstall/install/postinstall (+ implicit gyp) as published. */
  installScripts?: Record<string, string>;
  /** Names of runtime dependencies (dependencies + optionalDependencies). */
  dependencies?: string[];
  /** Who published it (npm `_npmUser.name`), when the registry says. */
  publisher?: string;
  unpackedSize?: number;
  fileCount?: number;
  /** PyPI: size of the release's largest file (compressed; indexes give no unpacked size). */
  archiveSize?: number;
  /** npm: published with a provenance attestation (`dist.attestations`): built and signed in CI. */
  provenance?: boolean;
}

export interface Thresholds {
  /** Release-change signals (new publisher, new scripts...) warn only this many days after the release; later they are info. */
  recentReleaseDays: number;
  /** "Few versions" warns only for a package first published less than this many days ago. */
  fewVersionsMaxAgeDays: number;
  /** A package first published less than this many days ago is "new". */
  newPackageDays: number;
  /** A chosen version published less than this many days ago is "new". */
  newVersionDays: number;
  /** Fewer versions than this is "few versions". */
  fewVersions: number;
  /** A release whose predecessor was published more than this many days before it ends a dormancy (dormant-release). */
  dormantReleaseDays: number;
  /** size-jump: unpacked size or file count grew by more than this factor... */
  sizeJumpFactor: number;
  /** ...and the unpacked size by more than this many bytes... */
  sizeJumpMinBytes: number;
  /** ...or the file count by more than this many files. */
  sizeJumpMinFiles: number;
}

export interface CheckContext {
  now: Date;
  thresholds: Thresholds;
  /** Popular names for the ecosystem at hand (see checks/popular-names.ts). */
  popular: PopularNameIndex;
  /** The known-malicious feed; default: the user's cached copy (feed/process-feed.ts). */
  feed?: FeedSource;
  /** The tool as the user typed it, for commands a finding suggests (`npm` through the shim); default safe-npm / safe-pip. */
  command?: string;
}

/** Answers "is this name popular?" and "which popular name is this one confusable with?". */
export interface PopularNameIndex {
  isPopular(name: string): boolean;
  /** The popular name `name` most likely imitates, with the reason, or undefined. */
  lookAlike(name: string): { target: string; reason: string; weak?: boolean } | undefined;
  /** Builds the look-alike tables now (else on the first `lookAlike` of a name that is not popular: a popular one needs none). */
  prepare?(): void;
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

/** One MAL- record of the known-malicious feed: `versions` null = every version. */
export interface MaliciousRecord {
  id: string;
  summary: string;
  versions: string[] | null;
}

/** The known-malicious feed as stored (feed/malicious-feed.ts parses it, feed/feed-store.ts keeps it). */
export interface FeedData {
  /** FEED_FORMAT of feed/malicious-feed.ts. */
  format: number;
  ecosystem: Ecosystem;
  /** Where it was downloaded from. */
  source: string;
  /** When it was downloaded (ISO 8601): its age decides the "stale feed" note. */
  fetchedAt: string;
  /** Package name (PyPI: PEP 503-normalized) → its records. */
  records: Record<string, MaliciousRecord[]>;
}

/** Where checks read the feed from (feed/process-feed.ts: the user's cached copy). */
/** The stored feed as a check sees it: the feed, what is wrong with the file, the last update that failed. */
export interface FeedState {
  feed?: FeedData;
  problem?: string;
  /** What changes it, when `safe update-db` would not (root with another user's cache folder). */
  fix?: string;
  /** The last `safe update-db` that could not download (removed by one that could). */
  failedUpdate?: FailedFeedUpdate;
}

export interface FailedFeedUpdate {
  url: string;
  at: string;
  message: string;
}

export interface FeedSource {
  /** The stored feed (undefined: none) and, when it exists but cannot be read, why. */
  state(ecosystem: Ecosystem): FeedState;
  /** true the first time it is asked per ecosystem: the feed's own note is said once per run. */
  takeNotice(ecosystem: Ecosystem): boolean;
}
