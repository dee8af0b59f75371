/**
 * Rule 5c (npm): a popular name without its affix word, as typed or with one slip (`serialize` or
 * `serilize` for serialize-javascript, `uglify` for uglify-js). Rule 5 finds an affix added to a
 * popular name (`lodash-js`) or swapped; this is the other direction: the qualifier a user leaves
 * out when typing from memory, which a squatter can register as the bare name. The affix words are
 * rule 5's (`js`, `node`, `nodejs`, `dev`) plus `javascript`, the spelled-out `js` (as PyPI's rule 5
 * has `python` beside `py`); `javascript` is only a word to drop here, not one to add: added, it is
 * how grammars and bindings are named (`tree-sitter-javascript`).
 *
 * Guards: the core (the popular name without its affix) has at least MIN_AFFIX_DROPPED_CORE_LENGTH
 * letters, the slip is a plausible one (rule 6's keyboard neighbours, vowels, swaps, doubled
 * letters; no unlikely slips), and the popular name ranks in the top MAX_RANK_FOR_AFFIX_DROPPED.
 *
 * npm only: on PyPI `python-x`/`x-python` is how the binding of `x` is named, and `x` alone is the
 * other project (`whois` and python-whois, `socks` and python-socks): 8 of the 2,985 names below
 * our PyPI list are such bare names.
 */

/** Affix words a popular npm name may carry that a look-alike leaves out (rule 5's npm words and `javascript`). */
export const DROPPED_AFFIXES = {
  prefixes: ['nodejs', 'node'],
  suffixes: ['nodejs', 'node', 'javascript', 'js', 'dev'],
} as const;

/** The core left once the affix is dropped has at least this many letters (separators removed). */
export const MIN_AFFIX_DROPPED_CORE_LENGTH = 7;

/** Only names this popular (rank) are imitated by their bare core. */
export const MAX_RANK_FOR_AFFIX_DROPPED = 20_000;

/**
 * The cores of a popular name (lower-cased, separators kept) that a look-alike could type without its
 * affix: the name without a leading or trailing affix word (`serialize-javascript` → `serialize`), each
 * with the word left out. Only affixes that stand apart as a word (`nodemon` is no `node` plus `mon`).
 */
export function affixDroppedCores(lower: string): { core: string; dropped: string }[] {
  const words = lower.split(/[-_.]+/).filter((w) => w !== '');
  if (words.length < 2 || lower.startsWith('@')) return [];
  const out: { core: string; dropped: string }[] = [];
  const first = words[0];
  const last = words[words.length - 1];
  if ((DROPPED_AFFIXES.prefixes as readonly string[]).includes(first)) out.push({ core: words.slice(1).join(''), dropped: `"${first}" prefix` });
  if ((DROPPED_AFFIXES.suffixes as readonly string[]).includes(last)) out.push({ core: words.slice(0, -1).join(''), dropped: `"${last}" suffix` });
  return out.filter(({ core }) => core.length >= MIN_AFFIX_DROPPED_CORE_LENGTH);
}
