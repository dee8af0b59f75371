/**
 * PyPI refuses a new project whose name equals an existing one once separators are removed and `l`,
 * `i` are read as `1` and `o` as `0` ("ultranormalization", pypi/warehouse#10498, in force since
 * December 2021; reference notes, detection.md section 3). So a name that equals a popular one that
 * way (`torch-summary` / torchsummary, `pytest-mpi` / pytest-mpl) cannot be a new squat: either it
 * does not exist (pip fails, nothing installs) or it was registered before 2021 next to the other,
 * which is how unrelated projects come to share words (`human-readable`, `graph-lib`). The squats of
 * that era aimed at the big names (`setup-tools`, `prompt-tool-kit`, `jeilyfish`), and a user who
 * mistypes a big name still deserves the "did you mean": such a variant counts against the top
 * MAX_RANK_FOR_ULTRANORMALIZED names only (a series' old name by its current member:
 * `beautiful-soup` still names beautifulsoup4). PyPI only: npm's own rule (moniker) ignores case and
 * separators but not `l`/`1`/`i`, `o`/`0`, and npm's names are not tested here.
 *
 * Measured on the 2,985 names below our PyPI list: 6 fewer flagged (separator variants of names
 * ranked 5,000 or lower, and `pytest-mpi`), no look-alike of the labelled pairs lost.
 */

/** Only names this popular (rank) are imitated by a name PyPI would not register today. */
export const MAX_RANK_FOR_ULTRANORMALIZED = 5_000;

/** PyPI's ultranormalized form of a lower-cased name: separators removed, `l` and `i` → `1`, `o` → `0`. */
export function ultranormalize(lower: string): string {
  return lower.replace(/[-_.]/g, '').replace(/[li]/g, '1').replace(/o/g, '0');
}

/**
 * Whether `candidate` and `target` (both lower-cased, separators removed) are the same name to
 * PyPI's registration check. Equal lengths first: ultranormalization keeps a stripped name's length.
 */
export function sameToPypi(candidate: string, target: string): boolean {
  return candidate.length === target.length && ultranormalize(candidate) === ultranormalize(target);
}
