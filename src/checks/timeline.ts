/**
 * Whether a package's publish times can be trusted as a timeline (issue 9): dormancy and "new
 * dependency" signals rely on it. Real registries publish versions of one release line in order;
 * a mirror that stamps versions with its own copy dates does not (1.0.10 before 1.0.2, years apart,
 * in any order). A few out-of-order pairs are normal (a maintenance release of an older minor); when
 * more than MAX_INVERSION_SHARE of consecutive versions within a major line go back in time, the
 * timeline is inconsistent. Too few versions to judge: unknown.
 */
export type Timeline = 'consistent' | 'inconsistent';

/** Consecutive pairs that may go back in time before the timeline is called inconsistent. */
export const MAX_INVERSION_SHARE = 0.2;
/** Fewer consecutive same-line pairs than this: not enough to judge. */
export const MIN_PAIRS_TO_JUDGE = 3;

export interface TimedVersion {
  version: string;
  publishedAt: Date;
}

/**
 * `compare` orders versions (semver / PEP 440); `line` names the release line a version belongs to
 * (its major): only consecutive versions of one line are compared, since maintenance of an old major
 * after a new one is routine.
 */
export function timelineOf(
  versions: readonly TimedVersion[],
  compare: (a: string, b: string) => number,
  line: (version: string) => string,
): Timeline | undefined {
  const sorted = [...versions].sort((a, b) => compare(a.version, b.version));
  let pairs = 0;
  let inversions = 0;
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (line(a.version) !== line(b.version)) continue;
    pairs++;
    if (b.publishedAt.getTime() < a.publishedAt.getTime()) inversions++;
  }
  if (pairs < MIN_PAIRS_TO_JUDGE) return undefined;
  return inversions / pairs > MAX_INVERSION_SHARE ? 'inconsistent' : 'consistent';
}
