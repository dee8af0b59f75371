/**
 * PyPI: a popular name joined to another popular name (`beautifulsoup-requests`,
 * `beautifulsoup-numpy`): a combosquat that borrows two famous names to look like an integration of
 * them. An integration is named after the project it extends, and the projects that are extended
 * have many packages named after them (`flask-orjson`, `pytest-click`, `django-celery`,
 * `requests-oauthlib`); a library that no popular package extends (no popular name begins with
 * it) is no host of plugins, so its name followed by another famous name adds nothing of its own.
 * The first name is the one imitated (the target); the match is weak, a warning, as a generic word
 * added is.
 *
 * A host's own name glued to another popular name with no separator (`torchtriton`: torch + triton,
 * the name of PyTorch's 2022 dependency-confusion package) is not a plugin's name (those keep the
 * separator: `torch-tensorrt`, `flask-cors`): it reads as the second project under its host's
 * brand, and that project is the target. Measured on the tail below: one more warning (`pymongoarrow`).
 *
 * Both names of 5 letters or more (short names are common words: `tools`, `utils`) and among the
 * top MAX_RANK_FOR_JOINED_NAMES (the first by its series' current member: `beautifulsoup` by
 * beautifulsoup4). PyPI only: npm's top names include plain words that also name what an extension
 * adds (`async`, `promise`, `typescript`: `cross-spawn-async`, `react-refresh-typescript`), 2 more
 * flags in the npm list's tail for no look-alike found. Measured on the 2,985 names below our PyPI
 * list: none flagged (without the host test, dozens: `nbdev-numpy`, `flask-alembic`).
 */

/** Both names must be this popular (rank). */
export const MAX_RANK_FOR_JOINED_NAMES = 1_000;

/** The shortest name (separators removed) on either side. */
export const MIN_JOINED_NAME_LENGTH = 5;

/** What the rule asks of the popular list. */
export interface JoinedNamesLookup {
  /** The rank of a popular name given without separators, if it is one (and may be a target). */
  rankOf(stripped: string): number | undefined;
  /** How popular the name at `rank` counts as (its series' current member, when far more popular). */
  standing(rank: number): number;
  /** Whether some other popular name begins with `stripped` (not counting the same name plus a version number). */
  extended(stripped: string): boolean;
  /** Whether a name that may come first (see joinedStarts) begins with these MIN_JOINED_NAME_LENGTH letters: most names stop here. */
  mayStart(start: string): boolean;
}

/**
 * The first name, the second, and which of them is imitated (the target), of a name made of two
 * popular names, if it is one (`stripped`: separators removed; `glued`: the name had none).
 */
export function popularNamesJoined(stripped: string, lookup: JoinedNamesLookup, glued = false): { first: number; second: number; target: number } | undefined {
  if (stripped.length < 2 * MIN_JOINED_NAME_LENGTH || !lookup.mayStart(stripped.slice(0, MIN_JOINED_NAME_LENGTH))) return undefined;
  for (let cut = MIN_JOINED_NAME_LENGTH; cut <= stripped.length - MIN_JOINED_NAME_LENGTH; cut++) {
    const head = stripped.slice(0, cut);
    const first = lookup.rankOf(head);
    if (first === undefined || lookup.standing(first) >= MAX_RANK_FOR_JOINED_NAMES) continue;
    const second = lookup.rankOf(stripped.slice(cut));
    if (second === undefined || second === first || second >= MAX_RANK_FOR_JOINED_NAMES) continue;
    if (!lookup.extended(head)) return { first, second, target: first };
    if (glued) return { first, second, target: second };
  }
  return undefined;
}

/**
 * Whether a name in `sorted` (names without separators, sorted) begins with `stem` and goes on with
 * anything but digits (`beautifulsoup4` is the same library's series, not a package built on it).
 */
export function hasExtension(sorted: readonly string[], stem: string): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < stem) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < sorted.length && sorted[i].startsWith(stem); i++) if (!/^[0-9]*$/.test(sorted[i].slice(stem.length))) return true;
  return false;
}

/** The first MIN_JOINED_NAME_LENGTH letters of every name (without separators) that is popular enough, by `standing`, to come first. */
export function joinedStarts(stripped: readonly string[], standing: (rank: number) => number): Set<string> {
  const out = new Set<string>();
  for (let rank = 0; rank < stripped.length; rank++) {
    if (stripped[rank].length >= MIN_JOINED_NAME_LENGTH && standing(rank) < MAX_RANK_FOR_JOINED_NAMES) out.add(stripped[rank].slice(0, MIN_JOINED_NAME_LENGTH));
  }
  return out;
}
