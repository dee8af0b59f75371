/**
 * Combosquats: a popular name plus words that add nothing of their own (`axios-http`,
 * `node-mongoose-orm`, `lodash-lite`). A plugin or an integration adds a word that names a feature
 * or another tool (`axios-retry`, `mongoose-autopopulate`, `eslint-config-airbnb-typescript`); a
 * squat adds a word that restates what the package already is, where it runs, or that it is a
 * variant of the original, to look like an official edition of it.
 *
 * The words are fixed by kind, not taken from any list of squats (see GENERIC_WORDS). On PyPI one
 * such qualifier is how legitimate editions are named (`django-compat`, `tensorflow-macos`,
 * `pytest-plus`; 10 of the 2,985 names below our PyPI list would be flagged), so PyPI takes two or
 * more at once (MIN_PYPI_GENERIC_WORDS: `requests-darwin-lite`, where it runs and which edition, and
 * nothing of its own): an edition names itself once; none of those 2,985 names stacks two. A popular name plus a
 * generic word is also how some forks and wrappers are named, so the typosquat check warns rather
 * than blocks (PopularNameMatcher marks the match `weak`).
 */

/** Words that say what a package is, where it runs, or which edition it is, and no feature of its own. */
export const GENERIC_WORDS: ReadonlySet<string> = new Set([
  // the ecosystem itself
  'js', 'javascript', 'node', 'nodejs', 'npm',
  // the platform
  'linux', 'windows', 'win', 'win32', 'win64', 'darwin', 'macos', 'mac', 'osx',
  // what kind of package it is
  'http', 'https', 'orm', 'api', 'sdk', 'lib', 'library', 'module', 'pkg', 'package',
  // an edition of the original
  'lite', 'light', 'compat', 'official', 'latest', 'new', 'fix', 'fixed', 'patch', 'patched', 'plus', 'pro', 'beta', 'dev',
]);

/** On PyPI a popular name needs at least this many generic words to be a combosquat (one is how editions are named). */
export const MIN_PYPI_GENERIC_WORDS = 2;

/** How many generic words a look-alike must add to a popular name in this ecosystem. */
export function minGenericWords(ecosystem: 'npm' | 'pypi'): number {
  return ecosystem === 'pypi' ? MIN_PYPI_GENERIC_WORDS : 1;
}

/** Only names this popular (rank) are worth imitating by a generic word: below, `x-lite` is as likely an honest edition. */
export const MAX_RANK_FOR_GENERIC_WORDS = 5_000;

export interface GenericWordsRemoved {
  /** The name left, inner separators kept (`eslint-config-airbnb` from `eslint-config-airbnb-compat`). */
  core: string;
  /** The generic words cut off, in name order. */
  removed: string[];
}

/**
 * Every name left when generic words are cut from the start and/or the end of an unscoped,
 * lower-cased name, the longest first (fewest words cut). Empty for a name without a generic word
 * at either end, and for scoped names (only the scope's owner publishes there).
 */
export function genericWordsRemoved(lower: string): GenericWordsRemoved[] {
  if (lower.startsWith('@')) return [];
  // The common case first, without splitting: neither the first nor the last word is generic.
  const firstEnd = lower.search(/[-_.]/);
  if (firstEnd === -1) return [];
  const lastStart = Math.max(lower.lastIndexOf('-'), lower.lastIndexOf('_'), lower.lastIndexOf('.')) + 1;
  if (!GENERIC_WORDS.has(lower.slice(0, firstEnd)) && !GENERIC_WORDS.has(lower.slice(lastStart))) return [];
  const spans: { word: string; from: number; to: number }[] = [];
  for (const m of lower.matchAll(/[^-_.]+/g)) spans.push({ word: m[0], from: m.index, to: m.index + m[0].length });
  if (spans.length < 2) return [];
  let lead = 0;
  while (lead < spans.length - 1 && GENERIC_WORDS.has(spans[lead].word)) lead++;
  let trail = 0;
  while (trail < spans.length - 1 && GENERIC_WORDS.has(spans[spans.length - 1 - trail].word)) trail++;
  const out: GenericWordsRemoved[] = [];
  for (let i = 0; i <= lead; i++) {
    for (let j = 0; j <= trail; j++) {
      const first = i;
      const last = spans.length - 1 - j;
      if ((i === 0 && j === 0) || first > last) continue;
      out.push({
        core: lower.slice(spans[first].from, spans[last].to),
        removed: [...spans.slice(0, first), ...spans.slice(last + 1)].map((s) => s.word),
      });
    }
  }
  return out.sort((a, b) => a.removed.length - b.removed.length);
}
