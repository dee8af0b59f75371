/**
 * The popular-names index: "is this name popular?" and "which popular name does it imitate?".
 *
 * Data: data/popular-npm.tsv and data/popular-pypi.tsv (see data/SOURCES.md), one name a line,
 * most popular first. The file is read the first time a question is asked (never on a passthrough),
 * and only once per process and ecosystem; the look-alike tables are built on the first `lookAlike`.
 *
 * Rules (reference notes on detection, sections 3 and 5), tried in this order; within a rule the
 * most popular target wins. A name that is itself popular is never a look-alike.
 *   1. case      npm: equal ignoring letter case (`jsonstream` vs `JSONStream`)
 *   2. separator equal once `-`, `_`, `.` are removed (`reactdom` vs `react-dom`)
 *   3. homoglyph equal once look-alike characters are folded (`1odash`, `rn`/`m`, `vv`/`w`, Cyrillic `а`)
 *   2-3 on PyPI: a name PyPI would refuse to register next to the target (equal once separators are removed,
 *                `l`/`i` read as `1`, `o` as `0`: `torch-summary`) only against the top 5,000
 *                (lookalike/pypi-ultranormalized.ts); this holds for every rule
 *   4. scope     npm: `types-node` for `@types/node`
 *   5. affix     equal once `js`/`node`/`dev` (npm) or `py`/`python`/`dev` (PyPI) is added, removed or swapped
 *                (`lodash-js`, `node-lodash`, `python-requests`, `nmap-python`); a popular name exactly plus
 *                an affix word beats a separator variant of another (`punycode-js` → punycode). On PyPI an
 *                added affix counts against the top 1,000 only (`pyclang`, `python-statsd` are how bindings
 *                are named), and a swap only moves the same word (`python-nmap` / `nmap-python`, not
 *                `pycuda` / `cuda-python`)
 *   5b. version a version number added as a word (`underscore.string-2`; glued, `fabric2`, it names a series)
 *   5c. version the version digit left off one of the top 100 names (`urllib` → urllib3; lookalike/version-number-dropped.ts)
 *   6. edit      one insertion, deletion, substitution or adjacent swap (OSA distance 1, separators
 *                ignored) from a popular name of at least 5 characters; 4-character names only by a
 *                doubled letter or a swap (`vitte`, `jset`), 3-character names of the top 1,000 only by a
 *                doubled letter (`zodd`); this includes `@type/node`
 *   6 also takes a vowel of a pair left out (`acqusition`, names of 7 letters or more) for a likely slip
 *                (lookalike/vowel-pair.ts)
 *   6b. moved    one letter typed early or late (`rceat`, `require-ports`) or two letters swapped across a
 *                third (`uglyfi`), in a word of at least 5 letters (acronyms are reordered on purpose)
 *   6c. affix+1  npm: an affix and one plausible slip (`ethetsjs`: ethers + "js" with a neighbouring key), or an
 *                unlikely one inside the name (`ethesjs`; lookalike/affix-and-unlikely-slip.ts)
 *   6d. two      two plausible slips (keyboard neighbours, vowels, swaps, doubled letters) from one of
 *                the 500 most popular names of 7 letters or more (`fa-extar`, `chokader`), without a
 *                word boundary the target lacks (`blink-led`); on PyPI, from one of the top 100, one plausible slip
 *                and one other change (`reqest`; lookalike/two-edits-top-names.ts)
 *   6d2. swap+1  npm: two letters swapped and a letter left out apart from them (`mogobd` → mongodb), from a name
 *                of 7 letters or more of any rank (lookalike/swap-and-slip.ts)
 *   6e. sound    npm: the same consonants in the same order, vowels of a kind, doubled letters, s/z, c/k, f/ph aside
 *                (`dezcord.js`, `deezcord.js`), names of 7 letters or more
 *   6e2. British a British spelling (`-our`, `-yse`, `-tre`, `-logue`) of a popular name or of a slip of one
 *                (`colouramas` → colorama; lookalike/british-spelling.ts)
 *   6f. number   npm: the number a name ends in changed to one that is not its neighbour (`bip30` for bip39, not
 *                `ckeditor4` for ckeditor5), against the top 10,000 (lookalike/number-changed.ts); weak: a warning
 *   6g. generic  a popular name of the top 5,000 plus generic words that add nothing of their own
 *                (`axios-http`, `node-mongoose-orm`; PyPI: two such words or more, `requests-darwin-lite`;
 *                lookalike/generic-words.ts); weak: a warning
 *   6g2. joined  PyPI: two names of the top 1,000 joined, the first extended by no popular name
 *                (`beautifulsoup-requests` → beautifulsoup4), or glued without a separator to a host of
 *                plugins, the second then the target (`torchtriton` → triton; lookalike/popular-names-joined.ts);
 *                weak: a warning
 *   6g3. abbrev. a popular name's last word abbreviated or spelled out (`fairsequence` → fairseq;
 *                lookalike/abbreviation-spelled-out.ts); weak: a warning
 *   7. scope     npm: any name under a scope one edit from a big popular scope (`@babell/x` → `@babel/x`)
 * Rules 5 and 6 form one pool: the most plausible slip wins (a swap, a doubled or undoubled letter;
 * then a neighbouring key, a vowel for a vowel, a plural `s`, an affix; then anything else), then a
 * slip not at the first letter (the letter people mistype least: `crypt` → crypto, not bcrypt), then the
 * most popular target (`python-dateutils` → python-dateutil, not dateutils). Rules 6b-6d (two changes
 * at once) are tried only when 1-6 find nothing, and 6f-6g (weaker signs) only when 1-6e find nothing. Guards on rule 6:
 *   - an unlikely slip (not a keyboard neighbour, vowel, doubling, swap or plural; on npm a vowel left
 *     out between consonants counts as likely: `bp66` for bip66) must imitate a big
 *     name: top 1,000 for 5-letter names, top 10,000 for a substitution, top 5,000 on PyPI (top 1,000
 *     at the first letter, the letter people mistype least; but a letter added after the last one of a name
 *     of 7 letters or more, the stray key, against the whole list: `fairseqn`; lookalike/letter-added-at-end.ts;
 *     and on npm the last letter of a 5-letter name left out, against the whole list: `bowe`;
 *     lookalike/letter-missing-at-end.ts); on PyPI the last letter changed, as the first, only against
 *     the top 1,000 (lookalike/last-letter-changed.ts), and a `py` name counts by its core's rank when
 *     that is better (`PyThrch` for pytorch, known as torch; lookalike/affix-core-fame.ts);
 *   - on PyPI a 5-letter name takes any slip but a doubled letter or a swap only from the top 5,000
 *     (`gower` is not tower; lookalike/short-name-slip.ts);
 *   - an edit that turns one word into another word popular names use is a different name
 *     (`crypto-es`, `mock.js`, `is-zip`), not a slip; but the singular or plural of a top-1,000 name
 *     is a look-alike of it (`request`, `typing-extension`, `supports-colors`);
 *   - a `v` before a digit is version notation (`uuid4`/`uuidv4`).
 * Whatever the rule, a look-alike of a series' old name (`beautifulsoup`) names the series' current
 * member (`beautifulsoup4`) when that is at least MIN_SERIES_RANK_RATIO times higher in rank.
 * Not flagged: a name within the target's own npm scope (only the scope's owner publishes there), and
 * edits that only add, drop or change a digit (`ckeditor4`/`ckeditor5`: versions, not typos).
 *
 * Speed: rules 1-5 are Map probes; rule 6 uses a deletion-neighbourhood (SymSpell) index keyed by
 * 32-bit hashes in typed arrays, so a look-up costs O(length) probes and allocates almost nothing,
 * instead of a Levenshtein scan over 20,000 names. Hash collisions are harmless: every hit is verified.
 * Rule 6b is one probe by a hash of the letters as a bag; rule 6d scans the few hundred top names of
 * about the same length with a letter-set bitmask before any string comparison.
 */
import { readFileSync } from 'node:fs';
import type { Ecosystem, PopularNameIndex } from '../core/types.js';
import { normalizePypiName } from '../pypi/normalize-name.js';
import { unlikelySlipInside } from './lookalike/affix-and-unlikely-slip.js';
import { americanSpellings } from './lookalike/british-spelling.js';
import { enoughSlips, MAX_RANK_FOR_ONE_UNLIKELY_OF_TWO } from './lookalike/two-edits-top-names.js';
import { vowelPairSimplified } from './lookalike/vowel-pair.js';
import { genericWordsRemoved, MAX_RANK_FOR_GENERIC_WORDS, minGenericWords } from './lookalike/generic-words.js';
import { MAX_RANK_FOR_NUMBER_CHANGED, numberChangedAway, trailingNumber } from './lookalike/number-changed.js';
import { letterAddedAtEnd } from './lookalike/letter-added-at-end.js';
import { letterMissingAtEnd } from './lookalike/letter-missing-at-end.js';
import { MAX_RANK_FOR_ULTRANORMALIZED, sameToPypi } from './lookalike/pypi-ultranormalized.js';
import { fiveLetterSlipTooFar } from './lookalike/short-name-slip.js';
import { lastLetterChanged } from './lookalike/last-letter-changed.js';
import { MAX_RANK_FOR_VERSION_DROPPED, versionNumberDropped } from './lookalike/version-number-dropped.js';
import { hasExtension, joinedStarts, popularNamesJoined } from './lookalike/popular-names-joined.js';
import { pyCores } from './lookalike/affix-core-fame.js';
import { otherSpellings } from './lookalike/abbreviation-spelled-out.js';
import { isSwappableLetters, MIN_SWAP_AND_SLIP_TARGET_LENGTH, omissionApartFromSwap } from './lookalike/swap-and-slip.js';

export interface LookAlike {
  target: string;
  reason: string;
  /** A weaker sign than a slip (a popular name plus generic words): the check warns rather than blocks. */
  weak?: boolean;
}

/** Shortest target (separators removed) that every one-edit rule compares against. */
export const MIN_EDIT_TARGET_LENGTH = 5;
/** Shorter targets, down to this length, match only the commonest slips: a doubled letter or two letters swapped (`vitte`, `jset`). */
export const MIN_SHORT_TARGET_LENGTH = 4;
/** A substitution that is neither a keyboard slip, a vowel mix-up nor a look-alike only counts against names this popular (rank). */
export const MAX_RANK_FOR_UNLIKELY_EDITS = 10_000;
/** ...and any unlikely edit of a name of MIN_EDIT_TARGET_LENGTH letters only against names this popular. */
export const MAX_RANK_FOR_UNLIKELY_SHORT_EDITS = 1_000;
/** ...and on PyPI any unlikely edit only against names this popular (see maxRankForUnlikelyEdit). */
export const MAX_PYPI_RANK_FOR_UNLIKELY_EDITS = 5_000;
/**
 * On PyPI `py`/`python` added to a name is how the Python binding of a library is named (`pyclang`,
 * `python-statsd`), and `-dev` how a project's development builds are: an added affix only counts
 * against names this popular (rank).
 */
export const MAX_PYPI_RANK_FOR_ADDED_AFFIXES = 1_000;
/** A word used by this many popular names is a word, not a slip (`es` in `crypto-es`, `mock` in `mock.js`)... */
export const MIN_WORD_USES = 3;
/** ...two-letter words collide more easily, so they need more uses to count (`es`, `ts`, `is`, not `bs`). */
export const MIN_SHORT_WORD_USES = 20;
/** Shortest name left once an affix is removed that the affix rule accepts (`d3.js` → `d3`). */
export const MIN_AFFIX_CORE_LENGTH = 2;
/** A scope with at least this many popular names is a brand worth imitating (`@types`, `@babel`). */
export const MIN_BIG_SCOPE_NAMES = 10;
/**
 * A look-alike of a name whose series has a member with a version number (`beautifulsoup`,
 * `beautifulsoup4`) names that member when its rank is at least this many times better: the old name
 * is a relic then, not a sibling (`mysql` and `mysql2` are both maintained, 2.7x apart).
 */
export const MIN_SERIES_RANK_RATIO = 10;
/**
 * A plural `s` added or dropped that makes a word other names use (`request`) still imitates a name
 * this popular (rank): the gap between a top name and a name outside the list says which one was meant.
 * Below it, singular and plural are ordinary neighbours (`email`/`emails`, `kernel`/`kernels` on PyPI).
 */
export const MAX_RANK_FOR_PLURAL_WORDS = 1_000;
/** Names that sound the same (rule 6e) count when both have at least this many letters (separators removed). */
export const MIN_SOUND_ALIKE_LENGTH = 7;
/** Two slips at once (`fa-extar`, `aiohtttps`) count only against the names this popular (rank)... */
export const MAX_RANK_FOR_TWO_SLIPS = 500;
/** ...of at least this many letters (separators removed). */
export const MIN_TWO_SLIP_TARGET_LENGTH = 7;

const dataFiles: Record<Ecosystem, URL> = {
  npm: new URL('../../data/popular-npm.tsv', import.meta.url),
  pypi: new URL('../../data/popular-pypi.tsv', import.meta.url),
};

/** Parses a popular-names TSV: `#` comment lines, a header row whose first column is `name`, then names. */
export function parsePopularNames(text: string): string[] {
  const names: string[] = [];
  let header = true;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const next = end + 1;
    if (text.charCodeAt(start) !== 0x23 /* # */) {
      const tab = text.indexOf('\t', start);
      const name = text.slice(start, tab !== -1 && tab < end ? tab : end).trim();
      if (header && name !== '') {
        header = false;
        if (name !== 'name') names.push(name);
      } else if (name !== '') names.push(name);
    }
    start = next;
  }
  return names;
}

const cache = new Map<Ecosystem, PopularNameIndex>();
/** The built tables (tens of MB for npm's 20,000 names), apart from the index: forgetPopularNames() drops them. */
const matchers = new Map<Ecosystem, PopularNameMatcher>();

function matcherFor(ecosystem: Ecosystem): PopularNameMatcher {
  let built = matchers.get(ecosystem);
  if (!built) {
    built = new PopularNameMatcher(ecosystem, parsePopularNames(readFileSync(dataFiles[ecosystem], 'utf8')));
    matchers.set(ecosystem, built);
  }
  return built;
}

/**
 * The index for an ecosystem, built from the bundled data on first use and kept for the process
 * (until forgetPopularNames()). Calling this costs nothing: the file is read when `isPopular` or
 * `lookAlike` is first called.
 */
export function popularNames(ecosystem: Ecosystem): PopularNameIndex {
  let index = cache.get(ecosystem);
  if (!index) {
    index = {
      isPopular: (name) => matcherFor(ecosystem).isPopular(name),
      lookAlike: (name) => matcherFor(ecosystem).lookAlike(name),
      prepare: () => matcherFor(ecosystem).prepare(),
    };
    cache.set(ecosystem, index);
  }
  return index;
}

/** Whether the look-alike tables of `ecosystem` are built (for tests and timing: a popular name needs none). */
export function lookAlikeTablesBuilt(ecosystem: Ecosystem): boolean {
  return matchers.get(ecosystem)?.tablesBuilt() ?? false;
}

/**
 * Lets the built tables go (an install flow calls this once every name is vetted, before npm's
 * engine installs: the run's peak). An index obtained before still works: its next question reads
 * the data file and builds the tables again.
 */
export function forgetPopularNames(): void {
  matchers.clear();
}

/** Builds an index from names ordered most popular first (tests, benchmarks, other lists). */
export function buildPopularNameIndex(ecosystem: Ecosystem, names: readonly string[]): PopularNameIndex {
  return new PopularNameMatcher(ecosystem, names);
}

// ---------------------------------------------------------------------------------------------
// Name forms

const SEPARATORS = /[-_.]+/g;

function stripSeparators(name: string): string {
  return name.replace(SEPARATORS, '');
}

function scopeOf(name: string): string | undefined {
  if (name.charCodeAt(0) !== 0x40 /* @ */) return undefined;
  const slash = name.indexOf('/');
  return slash === -1 ? undefined : name.slice(0, slash);
}

/** Look-alike characters (after NFKD, marks removed, lower-cased) and the ASCII letter they imitate. */
const HOMOGLYPHS: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  ѕ: 's', і: 'l', ї: 'l', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', ь: 'b', п: 'n', г: 'r',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'l', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  // Latin look-alikes
  ı: 'l', ɡ: 'g', ℓ: 'l', ſ: 's',
};


/**
 * Folds characters that look alike onto one: `1`, `i`, `|`, `!` → `l`; `0` → `o`; `rn` → `m`;
 * `vv` → `w`; Cyrillic/Greek homoglyphs and accented letters → ASCII. Two names with the same
 * skeleton read the same at a glance.
 */
export function confusableSkeleton(name: string): string {
  let s = name.toLowerCase();
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(s)) {
    s = s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    s = Array.from(s, (c) => HOMOGLYPHS[c] ?? c).join('');
  }
  // Four native passes, no replacer function: this runs on every popular name when the index is built.
  // The passes cannot feed each other (no result letter forms `rn` or `vv`), so the order does not matter.
  return s.replace(/[1i|!]/g, 'l').replace(/0/g, 'o').replace(/rn/g, 'm').replace(/vv/g, 'w');
}

interface AffixRules {
  prefixes: readonly string[];
  suffixes: readonly string[];
}

const AFFIXES: Record<Ecosystem, AffixRules> = {
  npm: { prefixes: ['nodejs', 'node'], suffixes: ['nodejs', 'node', 'js', 'dev'] },
  pypi: { prefixes: ['python3', 'python', 'py3', 'py'], suffixes: ['python3', 'python', 'py3', 'py', 'dev'] },
};

/** A name with an affix removed (separators already stripped), and a description of what was removed. */
interface Core {
  core: string;
  removed: string;
  /** The affix words removed. */
  affixes: string[];
  /** Letters removed from the start and from the end (gluedCores only). */
  head?: number;
  tail?: number;
}

/** Cores of a candidate: affixes removed whether or not a separator sets them apart (`lodashjs`, `node-lodash`). */
function gluedCores(stripped: string, rules: AffixRules): Core[] {
  const out: Core[] = [];
  for (const p of rules.prefixes) {
    if (stripped.length <= p.length || !stripped.startsWith(p)) continue;
    out.push({ core: stripped.slice(p.length), removed: `"${p}" prefix`, affixes: [p], head: p.length, tail: 0 });
    for (const x of rules.suffixes) {
      if (stripped.length > p.length + x.length && stripped.endsWith(x)) {
        out.push({ core: stripped.slice(p.length, -x.length), removed: `"${p}" prefix and "${x}" suffix`, affixes: [p, x], head: p.length, tail: x.length });
      }
    }
  }
  for (const x of rules.suffixes) {
    if (stripped.length > x.length && stripped.endsWith(x)) {
      out.push({ core: stripped.slice(0, -x.length), removed: `"${x}" suffix`, affixes: [x], head: 0, tail: x.length });
    }
  }
  return out;
}

/** Whether two sets of affix words are the same words, moved or with a version (`python3-x` / `x-python`, not `py` / `python`). */
function sameAffixWords(a: readonly string[], b: readonly string[]): boolean {
  const family = (words: readonly string[]): string => words.map((w) => w.replace(/[0-9]+$/, '')).sort().join(' ');
  return family(a) === family(b);
}

/** `lower` without its first `head` and last `tail` letters (separators not counted) and the separators next to them. */
function dropLetters(lower: string, head: number, tail: number): string {
  let from = 0;
  for (let n = 0; n < head && from < lower.length; from++) if (!isSeparator(lower[from])) n++;
  let to = lower.length;
  for (let n = 0; n < tail && to > from; to--) if (!isSeparator(lower[to - 1])) n++;
  while (from < to && isSeparator(lower[from])) from++;
  while (to > from && isSeparator(lower[to - 1])) to--;
  return lower.slice(from, to);
}

/** Whether removing an affix from `lower` (leaving `core`) cut into a word popular names use (`jstransformer-ejs`). */
function cutsKnownWord(wordUses: Map<string, number>, lower: string, core: string, affixes: AffixRules): boolean {
  const kept = new Set(words(core));
  return words(lower).some((w) => !kept.has(w) && !affixes.prefixes.includes(w) && !affixes.suffixes.includes(w) && isKnownWord(wordUses, w));
}

/** A word at least MIN_WORD_USES popular names use (MIN_SHORT_WORD_USES for 2-letter words, which collide more easily). */
function isKnownWord(wordUses: Map<string, number>, word: string): boolean {
  return (wordUses.get(word) ?? 0) >= (word.length <= 2 ? MIN_SHORT_WORD_USES : MIN_WORD_USES);
}

function isSeparator(c: string): boolean {
  return c === '-' || c === '_' || c === '.';
}

const affixHints = new WeakMap<AffixRules, RegExp>();

/** A test for "starts with a prefix or ends with a suffix" in one native call (it runs on every popular name). */
function affixHint(rules: AffixRules): RegExp {
  let hint = affixHints.get(rules);
  if (!hint) affixHints.set(rules, (hint = new RegExp(`^(?:${rules.prefixes.join('|')})|(?:${rules.suffixes.join('|')})$`)));
  return hint;
}

/** Cores of a popular name: only affixes that stand apart as a word (`uglify-js` → `uglify`, not `nodemon` → `mon`). */
function separatedCores(lower: string, rules: AffixRules): Core[] {
  if (!affixHint(rules).test(lower)) return [];
  const words = lower.split(SEPARATORS).filter((w) => w !== '');
  if (words.length < 2) return [];
  const out: Core[] = [];
  const first = words[0];
  const last = words[words.length - 1];
  const hasPrefix = rules.prefixes.includes(first);
  const hasSuffix = rules.suffixes.includes(last);
  if (hasPrefix) out.push({ core: words.slice(1).join(''), removed: `"${first}" prefix`, affixes: [first] });
  if (hasSuffix) out.push({ core: words.slice(0, -1).join(''), removed: `"${last}" suffix`, affixes: [last] });
  if (hasPrefix && hasSuffix && words.length > 2) {
    out.push({ core: words.slice(1, -1).join(''), removed: `"${first}" prefix and "${last}" suffix`, affixes: [first, last] });
  }
  return out;
}

/** The name with a leading or trailing affix word removed, other separators kept (`punycode-js` → `punycode`). */
function affixWordsRemoved(lower: string, rules: AffixRules): Core[] {
  const out: Core[] = [];
  const first = /^([a-z0-9]+)[-_.]+/.exec(lower);
  if (first && rules.prefixes.includes(first[1]) && first[0].length < lower.length) out.push({ core: lower.slice(first[0].length), removed: `"${first[1]}" prefix`, affixes: [first[1]] });
  const last = /[-_.]+([a-z0-9]+)$/.exec(lower);
  if (last && rules.suffixes.includes(last[1]) && last.index > 0) out.push({ core: lower.slice(0, last.index), removed: `"${last[1]}" suffix`, affixes: [last[1]] });
  return out;
}

// ---------------------------------------------------------------------------------------------
// One edit

import type { EditKind, SingleEdit } from './lookalike/edit.js';

export type { EditKind, SingleEdit };

const EDIT_REASON: Record<EditKind, string> = {
  swap: 'two letters swapped',
  changed: 'one letter changed',
  missing: 'one letter missing',
  added: 'one letter added',
};


/** Whether a[from..] equals b[from + shift..] to the end of both. */
function tailsEqual(a: string, from: number, b: string, shift: number): boolean {
  if (a.length - from !== b.length - from - shift) return false;
  for (let i = from; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i + shift)) return false;
  return true;
}

/** The single edit (OSA distance exactly 1) that turns `target` into `candidate`, if there is one. */
export function singleEdit(candidate: string, target: string): SingleEdit | undefined {
  const a = candidate;
  const b = target;
  const la = a.length;
  const lb = b.length;
  if (la - lb > 1 || lb - la > 1) return undefined;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    if (i === la) return undefined;
    if (tailsEqual(a, i + 1, b, 0)) return { kind: 'changed', at: i, candidateChar: a[i], targetChar: b[i] };
    if (i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && tailsEqual(a, i + 2, b, 0)) {
      return { kind: 'swap', at: i, candidateChar: a[i], targetChar: b[i] };
    }
    return undefined;
  }
  if (la < lb) return tailsEqual(a, i, b, 1) ? { kind: 'missing', at: i, candidateChar: '', targetChar: b[i] } : undefined;
  return tailsEqual(b, i, a, 1) ? { kind: 'added', at: i, candidateChar: a[i], targetChar: '' } : undefined;
}

/** A plausible slip (a swap, a doubled or undoubled letter, a neighbouring key, a vowel, a plural `s`) that involves no digit. */
function isSlip(edit: SingleEdit, candidate: string, target: string): boolean {
  return editPlausibility(edit, candidate, target) >= PLAUSIBLE && !hasDigit(edit);
}

function hasDigit(edit: SingleEdit): boolean {
  return /[0-9]/.test(edit.candidateChar + edit.targetChar);
}

/**
 * The two slips that turn `target` into `candidate` (OSA distance 2), the one made first second, if
 * both are slips of the fingers (isSlip). Tries every single edit of the candidate near where the two
 * names differ, with the target's letters, and checks that one more slip reaches the target.
 */
export function twoPlausibleSlips(candidate: string, target: string, rank = Infinity): [SingleEdit, SingleEdit] | undefined {
  if (candidate === target || singleEdit(candidate, target)) return undefined; // one edit or none: rule 6
  const c = candidate;
  const n = c.length;
  let p = 0;
  while (p < n && p < target.length && c[p] === target[p]) p++;
  let q = 0;
  while (q < n - p && q < target.length - p && c[n - 1 - q] === target[target.length - 1 - q]) q++;
  const from = Math.max(0, p - 1);
  const to = Math.min(n, n - q + 1);
  const letters = new Set(target.slice(Math.max(0, p - 1), Math.min(target.length, target.length - q + 1)));
  const tryVariant = (v: string): [SingleEdit, SingleEdit] | undefined => {
    const first = singleEdit(c, v);
    if (!first || hasDigit(first)) return undefined;
    const second = singleEdit(v, target);
    if (!second || hasDigit(second)) return undefined;
    // Both plausible slips; for the very biggest names one is enough (lookalike/two-edits-top-names.ts).
    return enoughSlips(rank, Number(isSlip(first, c, v)) + Number(isSlip(second, v, target)), first, second, c) ? [first, second] : undefined;
  };
  for (let k = from; k <= to; k++) {
    const found =
      (k < n ? tryVariant(c.slice(0, k) + c.slice(k + 1)) : undefined) ??
      (k + 1 < n ? tryVariant(c.slice(0, k) + c[k + 1] + c[k] + c.slice(k + 2)) : undefined);
    if (found) return found;
    for (const ch of letters) {
      const replaced = k < n && ch !== c[k] ? tryVariant(c.slice(0, k) + ch + c.slice(k + 1)) : undefined;
      const inserted = replaced ?? tryVariant(c.slice(0, k) + ch + c.slice(k));
      if (inserted) return inserted;
    }
  }
  return undefined;
}

const TWO_SLIPS_REASON: Record<EditKind, string> = {
  swap: 'two pairs of letters swapped',
  changed: 'two letters changed',
  missing: 'two letters missing',
  added: 'two letters added',
};

/** `one letter missing and two letters swapped`, or `two letters changed` for two slips of one kind. */
function twoSlipsReason([last, first]: readonly [SingleEdit, SingleEdit]): string {
  return first.kind === last.kind ? TWO_SLIPS_REASON[first.kind] : `${EDIT_REASON[first.kind]} and ${EDIT_REASON[last.kind]}`;
}

/** A hash of the name's letters as a bag (order ignored): equal for two names with the same letters. */
function letterBagHash(s: string): number {
  let sum = 0;
  let mix = 0;
  for (let i = 0; i < s.length; i++) {
    const h = Math.imul(s.charCodeAt(i), 0x9e3779b1);
    sum = (sum + h) | 0;
    mix = (mix + Math.imul(h ^ (h >>> 15), 0x85ebca6b)) | 0;
  }
  return (sum ^ Math.imul(mix, 31) ^ s.length) | 0;
}

/** A bit for each letter a-z the name has (digits and other characters share the last bits). */
function letterMask(s: string): number {
  let mask = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    mask |= 1 << (c >= 97 && c <= 122 ? c - 97 : 26 + (c % 6));
  }
  return mask;
}

/** Longest names withinTwoEdits compares (longer ones are never within two edits of a popular name). */
const MAX_COMPARED_LENGTH = 256;
const osaRows = [new Int32Array(MAX_COMPARED_LENGTH + 1), new Int32Array(MAX_COMPARED_LENGTH + 1), new Int32Array(MAX_COMPARED_LENGTH + 1)];

/** Whether the OSA distance (adjacent swaps count one) between a and b is at most 2: a DP that stops once every cell passes 2. */
function withinTwoEdits(a: string, b: string): boolean {
  const n = a.length;
  const m = b.length;
  if (n > MAX_COMPARED_LENGTH || m > MAX_COMPARED_LENGTH) return false;
  let [before, prev, row] = osaRows;
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    row[0] = i;
    let least = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) d = Math.min(d, before[j - 2] + 1);
      row[j] = d;
      if (d < least) least = d;
    }
    if (least > 2) return false;
    const oldest = before;
    before = prev;
    prev = row;
    row = oldest;
  }
  return prev[m] <= 2;
}

function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/**
 * How `candidate` is `target` with one letter moved (`rceat`: the "c" of `react` typed early) or two
 * letters swapped across a third (`uglyfi`), or undefined. Both have the same letters.
 */
export function displacement(candidate: string, target: string): { reason: string; from: number; to: number } | undefined {
  const n = candidate.length;
  if (n !== target.length) return undefined;
  let i = 0;
  while (i < n && candidate[i] === target[i]) i++;
  let j = n;
  while (j > i && candidate[j - 1] === target[j - 1]) j--;
  const a = candidate.slice(i, j);
  const b = target.slice(i, j);
  if (a.length < 3) return undefined; // equal, or a plain swap (rule 6)
  if (a === b.slice(1) + b[0] || a === b[b.length - 1] + b.slice(0, -1)) return { reason: 'one letter moved', from: i, to: j };
  if (a.length === 3 && a[0] === b[2] && a[2] === b[0] && a[1] === b[1]) return { reason: 'two letters swapped', from: i, to: j };
  return undefined;
}

/**
 * The length of the longest word of `lower` (split on separators, `@` and `/`) with a letter in
 * [from, to), positions counted with separators removed (as in stripSeparators).
 */
function longestWordIn(lower: string, from: number, to: number): number {
  let longest = 0;
  let pos = 0;
  let start = 0;
  let overlaps = false;
  for (let k = 0; k <= lower.length; k++) {
    const c = lower[k];
    if (c === undefined || c === '-' || c === '_' || c === '.' || c === '@' || c === '/') {
      if (overlaps) longest = Math.max(longest, pos - start);
      overlaps = false;
      if (c === '@' || c === '/') pos++; // kept by stripSeparators
      start = pos;
      continue;
    }
    if (pos >= from && pos < to) overlaps = true;
    pos++;
  }
  return longest;
}

/** Edits that only add, drop or change a digit name a version or a series, not a typo. */
function digitsOnly(edit: SingleEdit): boolean {
  const digit = (c: string): boolean => c === '' || (c >= '0' && c <= '9');
  return edit.kind !== 'swap' && digit(edit.candidateChar) && digit(edit.targetChar);
}

/** `uuid4` vs `uuidv4`, `vue2` vs `vue-v2`: a `v` before a digit is version notation, not a typo. */
function versionMark(edit: SingleEdit, candidate: string, target: string): boolean {
  if (edit.kind === 'added') return edit.candidateChar === 'v' && isDigit(candidate[edit.at + 1] ?? '');
  if (edit.kind === 'missing') return edit.targetChar === 'v' && isDigit(target[edit.at + 1] ?? '');
  return false;
}

/**
 * Whether a one-slip look-alike keeps its target's separators where they are: its lower form is
 * one edit from the target's, separators counted (`js-shas` vs `js-sha3`: yes; vs `jssha`: no).
 * A scoped name is compared after its scope (the scope's own separators are its owner's).
 */
function separatorsMatch(candidate: string, target: string, scoped: boolean): boolean {
  const after = (name: string): string => (scoped && name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name);
  const a = after(candidate);
  const b = after(target);
  if (Math.abs(a.length - b.length) > 1) return false;
  return singleEdit(a, b) !== undefined || a === b;
}

/** A trailing `s` added or dropped: the plural of the same word, a choice rather than a slip of the fingers. */
function pluralS(edit: SingleEdit, candidate: string): boolean {
  if (edit.kind === 'added') return edit.candidateChar === 's' && edit.at === candidate.length - 1;
  return edit.kind === 'missing' && edit.targetChar === 's' && edit.at === candidate.length;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

// How likely a single edit is to be a slip of the fingers (or of spelling) rather than a different name.
/** Two letters swapped, a letter doubled or a double letter typed once: the commonest typing slips. */
const MOST_PLAUSIBLE = 3;
/** A neighbouring key, a vowel for a vowel, a plural `s`; also a name with an affix added or swapped. */
const PLAUSIBLE = 2;
/** Any other letter changed, added or dropped. */
const LEAST_PLAUSIBLE = 1;

const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const KEY_NEIGHBOURS: Map<string, Set<string>> = (() => {
  const map = new Map<string, Set<string>>();
  KEYBOARD_ROWS.forEach((row, r) => {
    for (let i = 0; i < row.length; i++) {
      // Each row is shifted half a key right of the one above: above are i and i+1, below i-1 and i.
      const near = [row[i - 1], row[i + 1], KEYBOARD_ROWS[r - 1]?.[i], KEYBOARD_ROWS[r - 1]?.[i + 1], KEYBOARD_ROWS[r + 1]?.[i - 1], KEYBOARD_ROWS[r + 1]?.[i]];
      map.set(row[i], new Set(near.filter((c): c is string => c !== undefined)));
    }
  });
  return map;
})();

export function keysAdjacent(a: string, b: string): boolean {
  return KEY_NEIGHBOURS.get(a)?.has(b) ?? false;
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

/**
 * A vowel left out between two consonants (`bp66` for bip66, `mngoose`): typed fast, the vowels go
 * first. Rule 6 on npm takes it for a plausible slip; on PyPI it measured two more false flags in the
 * list's tail (`workdays`/`workadays`) and no look-alike found, with the false-flag budget spent.
 */
function vowelDropped(edit: SingleEdit, target: string): boolean {
  const { kind, at, targetChar: t } = edit;
  return kind === 'missing' && VOWELS.has(t) && at > 0 && at < target.length - 1 && isConsonant(target[at - 1]) && isConsonant(target[at + 1]);
}

function isConsonant(c: string): boolean {
  return c >= 'a' && c <= 'z' && !VOWELS.has(c);
}

/** MOST_PLAUSIBLE, PLAUSIBLE or LEAST_PLAUSIBLE for an edit from `target` to `candidate` (both separators removed). */
export function editPlausibility(edit: SingleEdit, candidate: string, target: string): number {
  const { kind, at, candidateChar: c, targetChar: t } = edit;
  switch (kind) {
    case 'swap':
      return MOST_PLAUSIBLE;
    case 'added':
      if (candidate[at - 1] === c || candidate[at + 1] === c) return MOST_PLAUSIBLE;
      if (c === 's' && at === candidate.length - 1) return PLAUSIBLE;
      return keysAdjacent(c, candidate[at - 1] ?? '') || keysAdjacent(c, candidate[at + 1] ?? '') ? PLAUSIBLE : LEAST_PLAUSIBLE;
    case 'missing':
      if (target[at - 1] === t || target[at + 1] === t) return MOST_PLAUSIBLE;
      return t === 's' && at === target.length - 1 ? PLAUSIBLE : LEAST_PLAUSIBLE;
    case 'changed':
      return keysAdjacent(c, t) || (VOWELS.has(c) && VOWELS.has(t)) ? PLAUSIBLE : LEAST_PLAUSIBLE;
  }
}

/** The words of a (lower-cased) name: split on separators, `/` and `@`. */
function words(name: string): string[] {
  return name.split(/[-_.@/]+/).filter((w) => w !== '');
}

interface Candidate {
  rank: number;
  plausibility: number;
  /** The slip is at the first letter, the one people mistype least: a tie-break between equally plausible slips. */
  atFirstLetter: boolean;
  /** The look-alike keeps the target's separators where they are (see separatorsMatch). */
  separatorsKept: boolean;
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Deletion-neighbourhood index over 32-bit hashes
//
// A name and every name one edit from it share a string obtained by deleting at most one character
// from each. So we index each popular name under the hash of itself and of each one-character
// deletion; a candidate probes the same set of hashes. Polynomial hashes let us hash every deletion
// in O(1) from prefix and suffix hashes, without building the strings.

const BASE = 0x01000193;
const MAX_HASHED_LENGTH = 256;
const POW = new Int32Array(MAX_HASHED_LENGTH + 1);
POW[0] = 1;
for (let k = 1; k <= MAX_HASHED_LENGTH; k++) POW[k] = Math.imul(POW[k - 1], BASE);
const prefixHash = new Int32Array(MAX_HASHED_LENGTH + 1);
const suffixHash = new Int32Array(MAX_HASHED_LENGTH + 1);

/** Scrambles a polynomial hash and folds in the length (murmur3's finalizer). */
function finish(h: number, length: number): number {
  h ^= Math.imul(length, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const hashBuffer = new Int32Array(MAX_HASHED_LENGTH + 1);

/**
 * Writes the hash of `s` and of each distinct one-character deletion of `s` to `hashBuffer` and
 * returns how many it wrote (0 for names too long to hash).
 */
function deletionHashes(s: string): number {
  const n = s.length;
  if (n > MAX_HASHED_LENGTH) return 0;
  prefixHash[0] = 0;
  for (let i = 0; i < n; i++) prefixHash[i + 1] = (Math.imul(prefixHash[i], BASE) + s.charCodeAt(i)) | 0;
  suffixHash[n] = 0;
  for (let i = n - 1; i >= 0; i--) suffixHash[i] = (Math.imul(s.charCodeAt(i), POW[n - 1 - i]) + suffixHash[i + 1]) | 0;
  let count = 0;
  hashBuffer[count++] = finish(prefixHash[n], n);
  for (let i = 0; i < n; i++) {
    // Deleting either of two equal neighbours gives the same string: once is enough.
    if (i > 0 && s.charCodeAt(i) === s.charCodeAt(i - 1)) continue;
    hashBuffer[count++] = finish((Math.imul(prefixHash[i], POW[n - 1 - i]) + suffixHash[i + 1]) | 0, n - 1);
  }
  return count;
}

const swapPositions = new Int32Array(MAX_HASHED_LENGTH);
const wordLengths = new Int32Array(MAX_HASHED_LENGTH);

/**
 * Writes the hash of each form of `s` (= stripSeparators(lower)) with two neighbouring letters (a-z,
 * different) swapped to `hashBuffer`, and where the swap is to `swapPositions`; returns how many
 * (rule 6d2). Only swaps that touch a word of `lower` of at least `minWord` letters (acronyms and
 * short words are reordered on purpose: `react-dfp`). The same hash deletionHashes gives the
 * string, computed from prefix and suffix hashes without building it.
 */
function swapHashes(s: string, lower: string, minWord: number): number {
  const n = s.length;
  if (n > MAX_HASHED_LENGTH) return 0;
  // The length of the word (split on separators, `@` and `/`, as longestWordIn) each letter of `s` is in.
  let pos = 0;
  let start = 0;
  for (let k = 0; k <= lower.length; k++) {
    const c = lower[k];
    if (c === undefined || c === '-' || c === '_' || c === '.' || c === '@' || c === '/') {
      for (let j = start; j < pos; j++) wordLengths[j] = pos - start;
      if (c === '@' || c === '/') wordLengths[pos++] = 0; // kept by stripSeparators
      start = pos;
    } else pos++;
  }
  let any = false;
  for (let i = 0; i < n && !any; i++) any = wordLengths[i] >= minWord;
  if (!any) return 0;
  prefixHash[0] = 0;
  for (let i = 0; i < n; i++) prefixHash[i + 1] = (Math.imul(prefixHash[i], BASE) + s.charCodeAt(i)) | 0;
  suffixHash[n] = 0;
  for (let i = n - 1; i >= 0; i--) suffixHash[i] = (Math.imul(s.charCodeAt(i), POW[n - 1 - i]) + suffixHash[i + 1]) | 0;
  let count = 0;
  for (let i = 0; i + 1 < n; i++) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    if (!isSwappableLetters(a, b) || (wordLengths[i] < minWord && wordLengths[i + 1] < minWord)) continue;
    const h = (Math.imul(prefixHash[i], POW[n - i]) + Math.imul(b, POW[n - 1 - i]) + Math.imul(a, POW[n - 2 - i]) + suffixHash[i + 2]) | 0;
    swapPositions[count] = i;
    hashBuffer[count++] = finish(h, n);
  }
  return count;
}

/** Every distinct string made by deleting one character of `s` (used for the short list of scopes). */
function oneDeletions(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    if (i === 0 || s.charCodeAt(i) !== s.charCodeAt(i - 1)) out.push(s.slice(0, i) + s.slice(i + 1));
  }
  return out;
}

/** Bits of DeletionIndex.filter(): 2^21 (256 KB), about one in 8 set for npm's list. */
const FILTER_BITS = 1 << 21;
/** The filter takes a hash's high bits (the table's slot comes from its low ones). */
const FILTER_SHIFT = 32 - 21;

/** Whether the bit of `hash` is set in a DeletionIndex.filter(). */
function inFilter(bits: Int32Array, hash: number): boolean {
  const b = hash >>> FILTER_SHIFT;
  return (bits[b >>> 5] & (1 << (b & 31))) !== 0;
}

/** An open-addressing multimap from 32-bit hash to rank, in two typed arrays (rank -1 = empty slot). */
class DeletionIndex {
  readonly keys: Int32Array;
  readonly ranks: Int32Array;
  readonly mask: number;

  constructor(entries: number) {
    let size = 1024;
    while (size < entries * 1.5) size *= 2; // a load of 2/3 at most: short probe runs, half the memory of 1/2
    this.keys = new Int32Array(size);
    this.ranks = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  /** Indexes `s` and its one-character deletions under `rank`. */
  addName(s: string, rank: number): void {
    const count = deletionHashes(s);
    for (let k = 0; k < count; k++) this.add(hashBuffer[k], rank);
  }

  add(hash: number, rank: number): void {
    const { keys, ranks, mask } = this;
    let i = hash & mask;
    while (ranks[i] !== -1) i = (i + 1) & mask;
    keys[i] = hash;
    ranks[i] = rank;
  }

  /**
   * A bit set of the hashes filed (FILTER_BITS bits, by the hash's high bits), built on first use: a
   * probe that finds its bit clear misses without touching the table (rule 6d2 probes many hashes that
   * are not there, and the table is megabytes, the bit set a quarter of one).
   */
  filter(): Int32Array {
    if (this.bits) return this.bits;
    const bits = new Int32Array(FILTER_BITS >>> 5);
    const { keys, ranks } = this;
    for (let i = 0; i < keys.length; i++) {
      if (ranks[i] === -1) continue;
      const b = (keys[i] >>> FILTER_SHIFT) & (FILTER_BITS - 1);
      bits[b >>> 5] |= 1 << (b & 31);
    }
    return (this.bits = bits);
  }

  private bits?: Int32Array;

  /** The ranks filed under `hash`, in the order they were added. */
  *ranksOf(hash: number): Generator<number> {
    const { keys, ranks, mask } = this;
    for (let i = hash & mask; ranks[i] !== -1; i = (i + 1) & mask) if (keys[i] === hash) yield ranks[i];
  }
}

// ---------------------------------------------------------------------------------------------
// The matcher

interface Tables {
  /** Lower-cased names with separators kept (PyPI: normalized), by rank. */
  lower: string[];
  /** Lower-cased names with separators removed, by rank. */
  stripped: string[];
  /** Rules 1-5: form → rank of the most popular name with that form (byLower: only names with capitals). */
  byLower: Map<string, number>;
  /** Rules 2-3 (and 5, 5b, 6g): every name under skeletonHash of its stripped form, most popular first (see skeletonRank). */
  bySkeleton: DeletionIndex;
  byCore: Map<string, number>;
  coreRemoved: Map<string, string>;
  coreAffixes: Map<string, string[]>;
  /** Rule 6: names of at least MIN_EDIT_TARGET_LENGTH letters; shorter ones by their stripped form. */
  deletions: DeletionIndex;
  shortNames: Map<string, number>;
  /** Rule 6b: names of at least MIN_EDIT_TARGET_LENGTH letters by letterBagHash (a letter moved keeps it). */
  byLetters: Map<number, number[]>;
  /** Rule 6d: the top MAX_RANK_FOR_TWO_SLIPS names of MIN_TWO_SLIP_TARGET_LENGTH letters or more by length: ranks and letterMask. */
  twoSlipTargets: { ranks: Int32Array; masks: Int32Array }[];
  /** Rule 6e (npm): names of at least MIN_SOUND_ALIKE_LENGTH letters by soundHash, built on the first probe. */
  bySound?: DeletionIndex;
  /** Rule 6f (npm): the names of the top MAX_RANK_FOR_NUMBER_CHANGED that end in a number, by the letters before it; built on first use. */
  byNumberStem?: Map<string, number[]>;
  /** Names without separators → rank of the most popular one (rules 6 on PyPI, 6g2), built on first use. */
  byStripped?: Map<string, number>;
  /** Every name without separators, sorted (rule 6g2's test for a name other popular names begin with), built on first use. */
  sortedStripped?: string[];
  /** Rule 6g2: the first letters of the names that may come first (lookalike/popular-names-joined.ts), built on first use. */
  joinedStarts?: Set<string>;
  /** How many popular names use each word (see editMakesKnownWord). */
  wordUses: Map<string, number>;
  /** A name's series (stripped, trailing digits removed: `beautifulsoup`) → rank of its most popular member with digits (`beautifulsoup4`). */
  seriesHead: Map<string, number>;
  /** Rule 7: every popular npm scope (with `@`); the big ones by folded form and by one-deletion forms. */
  scopes: Set<string>;
  bigScopeBySkeleton: Map<string, number>;
  bigScopeDeletions: Map<string, number[]>;
}

/** A name ending in a major version number set apart by a separator (`underscore.string-2`; not a year, `flake8-2020`), and the name before it. */
const VERSION_WORD_ADDED = /^(.*[^-_.])[-_.]+[0-9]{1,2}$/;

/**
 * How a name sounds, roughly: `ph` → f, hard `c`, `ck`, `q` → k, soft `c` and `z` → s, a doubled letter
 * once (within a word), and each run of vowels one vowel of its kind (its first vowel's): `e`, `i`, `y`
 * → i; `o`, `u` → o; `a`. `discord.js`, `dezcord.js` and `deezcord.js` share `diskordjs`.
 */
export function soundKey(lower: string): string {
  const length = writeSoundKey(lower);
  return String.fromCharCode.apply(null, key.subarray(0, length) as unknown as number[]);
}

/**
 * A 32-bit hash of soundKey(lower), the index key of rule 6e: hashing the key's char codes spares a
 * string per popular name when the index is built. Equal keys, equal hashes; a hit is verified.
 */
function soundHash(lower: string): number {
  const length = writeSoundKey(lower);
  let h = 0;
  for (let i = 0; i < length; i++) h = (Math.imul(h, BASE) + key[i]) | 0;
  return finish(h, length);
}

/** Writes soundKey(lower) as char codes to `key` (a reused buffer) and returns its length. */
function writeSoundKey(lower: string): number {
  // Pass 1: the letters, separators and doubled characters dropped (`lodash.head` keeps both h's).
  const n = Math.min(lower.length, MAX_HASHED_LENGTH);
  let length = 0;
  let before = -1;
  for (let i = 0; i < n; i++) {
    const c = lower.charCodeAt(i);
    if (c !== before && c !== 0x2d && c !== 0x5f && c !== 0x2e) letters[length++] = c; // not - _ .
    before = c;
  }
  // Pass 2: the sounds.
  let out = 0;
  let lastVowel = 0;
  for (let i = 0; i < length; i++) {
    const c = letters[i];
    const vowel = vowelKind(c);
    if (vowel !== 0) {
      if (lastVowel === 0) key[out++] = vowel; // a run of vowels once, as its first vowel's kind
      lastVowel = vowel;
      continue;
    }
    lastVowel = 0;
    const next = i + 1 < length ? letters[i + 1] : 0;
    if (c === 0x70 /* p */ && next === 0x68 /* h */) {
      key[out++] = 0x66; // f
      i++;
    } else if (c === 0x63 /* c */ && next === 0x6b /* k */) {
      key[out++] = 0x6b; // k
      i++;
    } else if (c === 0x63 /* c */) key[out++] = next === 0x65 || next === 0x69 || next === 0x79 ? 0x73 : 0x6b; // soft c before e/i/y → s, else k
    else if (c === 0x71 /* q */) key[out++] = 0x6b; // k
    else if (c === 0x7a /* z */) key[out++] = 0x73; // s
    else key[out++] = c;
  }
  return out;
}

const letters = new Uint16Array(MAX_HASHED_LENGTH);
const key = new Uint16Array(MAX_HASHED_LENGTH);

/** The kind of a vowel as a char code (`e`, `i`, `y` → i; `o`, `u` → o; `a`), or 0 for any other character. */
function vowelKind(c: number): number {
  switch (c) {
    case 0x61:
      return 0x61;
    case 0x65:
    case 0x69:
    case 0x79:
      return 0x69;
    case 0x6f:
    case 0x75:
      return 0x6f;
    default:
      return 0;
  }
}

/** Rule 6e's index: every popular name of MIN_SOUND_ALIKE_LENGTH letters or more under its soundHash, most popular first. */
function soundIndex(lower: readonly string[], stripped: readonly string[]): DeletionIndex {
  const index = new DeletionIndex(stripped.length);
  for (let rank = 0; rank < stripped.length; rank++) if (stripped[rank].length >= MIN_SOUND_ALIKE_LENGTH) index.add(soundHash(lower[rank]), rank);
  return index;
}

/** A name without its trailing version number (`beautifulsoup4` → `beautifulsoup`), if it has one after a letter. */
function seriesBase(stripped: string): string | undefined {
  return trailingNumber(stripped)?.stem;
}

/** Rule 6f's index: the top MAX_RANK_FOR_NUMBER_CHANGED names that end in a number, by the letters before it. */
function numberStems(stripped: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let rank = 0; rank < Math.min(MAX_RANK_FOR_NUMBER_CHANGED, stripped.length); rank++) {
    const numbered = trailingNumber(stripped[rank]);
    if (!numbered) continue;
    const ranks = out.get(numbered.stem);
    if (ranks) ranks.push(rank);
    else out.set(numbered.stem, [rank]);
  }
  return out;
}

/** A 32-bit hash of a string's char codes (as skeletonHash hashes an ASCII name's skeleton). */
function codesHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0;
  return finish(h, s.length);
}

/**
 * The hash of confusableSkeleton(s): for an ASCII name folded in one pass over its char codes, with
 * no string built (it runs on every popular name when the index is built: the skeleton strings and a
 * Map of them cost 40 ms there, cold). Equal skeletons, equal hashes; a hit is verified (skeletonRank).
 */
function skeletonHash(s: string): number {
  let h = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c > 0x7f) return codesHash(confusableSkeleton(s));
    if (c >= 0x41 && c <= 0x5a) c += 0x20; // lower case
    // As confusableSkeleton: 1 i | ! → l, 0 → o, rn → m, vv → w (x | 0x20 lower-cases the next letter).
    if (c === 0x31 || c === 0x69 || c === 0x7c || c === 0x21) c = 0x6c;
    else if (c === 0x30) c = 0x6f;
    else if (c === 0x72 && (s.charCodeAt(i + 1) | 0x20) === 0x6e) [c, i] = [0x6d, i + 1];
    else if (c === 0x76 && (s.charCodeAt(i + 1) | 0x20) === 0x76) [c, i] = [0x77, i + 1];
    h = (Math.imul(h, BASE) + c) | 0;
    n++;
  }
  return finish(h, n);
}

/** The most popular name whose stripped form has the skeleton of `stripped` (rules 2-3), if any. */
function skeletonRank(t: Tables, stripped: string): number | undefined {
  const hash = skeletonHash(stripped);
  const { keys, ranks, mask } = t.bySkeleton;
  let skeleton: string | undefined;
  for (let i = hash & mask; ranks[i] !== -1; i = (i + 1) & mask) {
    if (keys[i] !== hash) continue;
    skeleton ??= confusableSkeleton(stripped);
    if (confusableSkeleton(t.stripped[ranks[i]]) === skeleton) return ranks[i];
  }
  return undefined;
}

/** How popular the name at `rank` counts as: its series' current member when that is far more popular (see `hit` in lookAlike). */
function standingOf(t: Tables, rank: number): number {
  const current = t.seriesHead.get(t.stripped[rank]);
  return current !== undefined && (current + 1) * MIN_SERIES_RANK_RATIO <= rank + 1 ? current : rank;
}

function firstRank(map: Map<string, number>, key: string, rank: number): void {
  if (!map.has(key)) map.set(key, rank);
}

class PopularNameMatcher implements PopularNameIndex {
  /** The canonical form of each popular name: npm as is, PyPI PEP 503-normalized. */
  private readonly canonical: Set<string>;
  private readonly affixes: AffixRules;
  private tables?: Tables;

  constructor(
    private readonly ecosystem: Ecosystem,
    private readonly names: readonly string[],
  ) {
    this.affixes = AFFIXES[ecosystem];
    this.canonical = new Set(ecosystem === 'pypi' ? names.map(normalizePypiName) : names);
  }

  private lowerForm(name: string): string {
    return this.ecosystem === 'pypi' ? normalizePypiName(name) : name.toLowerCase();
  }

  isPopular(name: string): boolean {
    const trimmed = name.trim();
    return this.canonical.has(this.ecosystem === 'pypi' ? normalizePypiName(trimmed) : trimmed);
  }

  tablesBuilt(): boolean {
    return this.tables !== undefined;
  }

  /** The look-alike tables, built now if they are not yet. */
  prepare(): void {
    this.tables ??= this.build();
  }

  /** Builds the look-alike tables on first use (isPopular alone never needs them). */
  private build(): Tables {
    const lower = this.names.map((n) => this.lowerForm(n));
    const stripped = lower.map(stripSeparators);
    const byLower = new Map<string, number>();
    const bySkeleton = new DeletionIndex(stripped.length);
    const byCore = new Map<string, number>();
    const coreRemoved = new Map<string, string>();
    const coreAffixes = new Map<string, string[]>();
    const scopes = new Set<string>();
    const scopeSizes = new Map<string, { rank: number; size: number }>();
    const wordUses = new Map<string, number>();
    const shortNames = new Map<string, number>();
    const byLetters = new Map<number, number[]>();
    const seriesHead = new Map<string, number>();
    let entries = 0;
    for (let rank = 0; rank < lower.length; rank++) {
      const l = lower[rank];
      if (l !== this.names[rank]) firstRank(byLower, l, rank);
      bySkeleton.add(skeletonHash(stripped[rank]), rank);
      for (const { core, removed, affixes } of separatedCores(l, this.affixes)) {
        if (!byCore.has(core)) {
          byCore.set(core, rank);
          coreRemoved.set(core, removed);
          coreAffixes.set(core, affixes);
        }
      }
      const scope = scopeOf(l);
      if (scope !== undefined) {
        scopes.add(scope);
        const size = scopeSizes.get(scope);
        if (size) size.size++;
        else scopeSizes.set(scope, { rank, size: 1 });
      }
      const length = stripped[rank].length;
      if (length >= MIN_EDIT_TARGET_LENGTH) {
        entries += length + 1;
        const key = letterBagHash(stripped[rank]);
        const ranks = byLetters.get(key);
        if (ranks) ranks.push(rank);
        else byLetters.set(key, [rank]);
      } else if (length >= MIN_SHORT_TARGET_LENGTH || (length === MIN_SHORT_TARGET_LENGTH - 1 && rank < MAX_RANK_FOR_UNLIKELY_SHORT_EDITS)) {
        firstRank(shortNames, stripped[rank], rank);
      }
      const ws = words(l);
      for (let i = 0; i < ws.length; i++) if (ws.indexOf(ws[i]) === i) wordUses.set(ws[i], (wordUses.get(ws[i]) ?? 0) + 1);
      const base = seriesBase(stripped[rank]);
      if (base !== undefined) firstRank(seriesHead, base, rank);
    }
    const deletions = new DeletionIndex(entries);
    for (let rank = 0; rank < stripped.length; rank++) {
      if (stripped[rank].length >= MIN_EDIT_TARGET_LENGTH) deletions.addName(stripped[rank], rank);
    }
    const byLength: number[][] = [];
    for (let rank = 0; rank < Math.min(MAX_RANK_FOR_TWO_SLIPS, stripped.length); rank++) {
      const n = stripped[rank].length;
      if (n >= MIN_TWO_SLIP_TARGET_LENGTH) (byLength[n] ??= []).push(rank);
    }
    const twoSlipTargets = Array.from(byLength, (ranks = []) => ({ ranks: Int32Array.from(ranks), masks: Int32Array.from(ranks, (r) => letterMask(stripped[r])) }));
    const bigScopeBySkeleton = new Map<string, number>();
    const bigScopeDeletions = new Map<string, number[]>();
    const byScopeFolded = new Map<string, number>();
    for (const [scope, { rank, size }] of scopeSizes) {
      if (size < MIN_BIG_SCOPE_NAMES) continue;
      firstRank(bigScopeBySkeleton, confusableSkeleton(stripSeparators(scope)), rank);
      if (scope.length <= MIN_EDIT_TARGET_LENGTH) continue; // `@` + at least 5 characters
      for (const key of [scope, ...oneDeletions(scope)]) {
        const ranks = bigScopeDeletions.get(key);
        if (!ranks) bigScopeDeletions.set(key, [rank]);
        else if (ranks[ranks.length - 1] !== rank) ranks.push(rank);
      }
    }
    return { lower, stripped, byLower, bySkeleton, byCore, coreRemoved, coreAffixes, deletions, shortNames, byLetters, twoSlipTargets, wordUses, seriesHead, scopes, bigScopeBySkeleton, bigScopeDeletions };
  }

  /**
   * How popular a target must be for an unlikely slip (LEAST_PLAUSIBLE) to count: short names are
   * crowded (MAX_RANK_FOR_UNLIKELY_SHORT_EDITS); a substitution needs a big name
   * (MAX_RANK_FOR_UNLIKELY_EDITS). On PyPI every unlikely slip needs a name in the top
   * MAX_PYPI_RANK_FOR_UNLIKELY_EDITS: about the top 1% of its projects, as npm's whole list is of npm's;
   * and at the first letter, the one people mistype least (`hbutils`, `pinject`), a top-1,000 name.
   */
  private maxRankForUnlikelyEdit(edit: SingleEdit, target: string): number {
    if (target.length <= MIN_EDIT_TARGET_LENGTH) return MAX_RANK_FOR_UNLIKELY_SHORT_EDITS;
    // ...and its last letter changed, where another word is made (lookalike/last-letter-changed.ts).
    if (this.ecosystem === 'pypi') return edit.at === 0 || lastLetterChanged(edit, target) ? MAX_RANK_FOR_UNLIKELY_SHORT_EDITS : MAX_PYPI_RANK_FOR_UNLIKELY_EDITS;
    return edit.kind === 'changed' ? MAX_RANK_FOR_UNLIKELY_EDITS : Infinity;
  }

  /** The rank of the most popular name with this form without separators (built on first use). */
  private strippedRank(t: Tables, stripped: string): number | undefined {
    if (!t.byStripped) {
      const map = new Map<string, number>();
      for (let rank = 0; rank < t.stripped.length; rank++) firstRank(map, t.stripped[rank], rank);
      t.byStripped = map;
    }
    return t.byStripped.get(stripped);
  }

  /**
   * How famous the PyPI name at `rank` counts as for the bar of an unlikely slip: the better of its
   * own rank and that of its core without `py`/`python` (`pytorch` by torch; lookalike/affix-core-fame.ts).
   */
  private fameRank(t: Tables, rank: number): number {
    let best = rank;
    for (const core of pyCores(t.stripped[rank])) {
      const r = this.strippedRank(t, core);
      if (r !== undefined && r < best) best = r;
    }
    return best;
  }

  /** The rank of a popular name given in its lower-case (PyPI: normalized) form. */
  private rankOf(t: Tables, lower: string): number | undefined {
    // Probed in the skeleton table (a name's lower form fixes its skeleton), verified against the lower form.
    const hash = skeletonHash(stripSeparators(lower));
    const { keys, ranks, mask } = t.bySkeleton;
    for (let i = hash & mask; ranks[i] !== -1; i = (i + 1) & mask) if (keys[i] === hash && t.lower[ranks[i]] === lower) return ranks[i];
    return undefined;
  }

  lookAlike(input: string): LookAlike | undefined {
    const name = input.trim();
    if (name === '' || this.isPopular(name)) return undefined;
    const t = (this.tables ??= this.build());
    const lower = this.lowerForm(name);
    const s = stripSeparators(lower);
    const scope = this.ecosystem === 'npm' ? scopeOf(lower) : undefined;
    const pypi = this.ecosystem === 'pypi';
    const standing = (rank: number): number => standingOf(t, rank);
    // Within one npm scope only the scope's owner can publish: nothing there is a squat. On PyPI a name the
    // registry would not register today, next to a target outside the top 5,000, is none (lookalike/pypi-ultranormalized.ts).
    const usable = (rank: number | undefined): rank is number =>
      rank !== undefined &&
      (scope === undefined || scopeOf(t.lower[rank]) !== scope) &&
      !(pypi && rank >= MAX_RANK_FOR_ULTRANORMALIZED && sameToPypi(s, t.stripped[rank]) && standing(rank) >= MAX_RANK_FOR_ULTRANORMALIZED);
    const hit = (rank: number, reason: string): LookAlike => {
      // A look-alike of a series' older name most likely means the series' current member when that is
      // far more popular (`beautifulsoup` → beautifulsoup4, not `mysql` → mysql2): name that one.
      const current = t.seriesHead.get(t.stripped[rank]);
      if (current !== undefined && (current + 1) * MIN_SERIES_RANK_RATIO <= rank + 1 && usable(current)) {
        return { target: this.names[current], reason: `${reason}, from "${this.names[rank]}", an older name of the series` };
      }
      return { target: this.names[rank], reason };
    };

    // 1. Letter case (PyPI names are case-insensitive: isPopular already said yes).
    let rank = t.byLower.get(lower);
    if (usable(rank)) return hit(rank, 'differs only in letter case');
    if (lower !== name && this.canonical.has(lower)) return { target: lower, reason: 'differs only in letter case' };

    // 2 + 3. Separators and look-alike characters; but a popular name exactly, with an affix word
    //       added, is closer (`punycode-js` is punycode plus "js", not a separator variant of `punycode.js`).
    rank = skeletonRank(t, s);
    if (usable(rank)) {
      for (const { core, removed } of affixWordsRemoved(lower, this.affixes)) {
        const r = this.rankOf(t, core);
        if (usable(r)) return hit(r, `extra ${removed}`);
      }
      if (t.stripped[rank] !== s) return hit(rank, 'look-alike characters');
      return hit(rank, s === lower ? 'separator missing' : 'different separators');
    }

    // 4. An unscoped copy of a DefinitelyTyped package. Other scopes are left alone: their old
    //    unscoped names (`babel-plugin-x`, `turf-x`) are legitimate packages.
    if (this.ecosystem === 'npm' && lower.startsWith('types-')) {
      const scoped = `@types/${lower.slice('types-'.length)}`;
      if (this.canonical.has(scoped)) return { target: scoped, reason: 'scope dropped' };
    }

    // 5 + 6: affixes and one edit go into one pool; the most plausible slip wins, then the most
    // popular target ("python-dateutils" is python-dateutil plus "s", not dateutils plus "python").
    let best: Candidate | undefined;
    const consider = (r: number | undefined, plausibility: number, why: () => string, atFirstLetter = false, separatorsKept = true): void => {
      if (!usable(r) || t.stripped[r] === s) return;
      // Spellings of one name (`coffee-script`, `coffeescript`) are one target: the most popular is named.
      const sameName = best !== undefined && t.stripped[best.rank] === t.stripped[r];
      const mine = sameName || separatorsKept ? plausibility : plausibility - 1;
      const theirs = best && (sameName || best.separatorsKept ? best.plausibility : best.plausibility - 1);
      if (best && (mine !== theirs ? mine < theirs! : atFirstLetter !== best.atFirstLetter ? atFirstLetter : r >= best.rank)) return;
      best = { rank: r, plausibility, atFirstLetter, separatorsKept, reason: why() };
    };

    // 5. Affixes: added to a popular name, or swapped for another one.
    for (const { core, removed, affixes } of gluedCores(s, this.affixes)) {
      if (core.length < MIN_AFFIX_CORE_LENGTH) continue;
      const added = skeletonRank(t, core);
      if (this.ecosystem === 'npm' || (added !== undefined && added < MAX_PYPI_RANK_FOR_ADDED_AFFIXES)) consider(added, PLAUSIBLE, () => `extra ${removed}`);
      const swapped = t.byCore.get(core);
      if (this.ecosystem === 'npm' || (swapped !== undefined && sameAffixWords(affixes, t.coreAffixes.get(core) ?? []))) consider(swapped, PLAUSIBLE, () => `${removed} instead of ${t.coreRemoved.get(core)}`);
    }

    // 5b. A version number added as a word of its own (`underscore.string-2`): a popular name posing as
    //     its next major version. Glued digits are left alone: they name a series (`fabric2`, `pypdf3`).
    const versioned = VERSION_WORD_ADDED.exec(lower);
    if (versioned) {
      const r = skeletonRank(t, stripSeparators(versioned[1]));
      if (r !== undefined && t.stripped[r].length >= MIN_EDIT_TARGET_LENGTH) consider(r, PLAUSIBLE, () => 'version number added');
    }

    // 5c. A version digit left off one of the biggest names (`urllib` for urllib3). See lookalike/version-number-dropped.ts.
    const series = t.seriesHead.get(s);
    if (series !== undefined && series < MAX_RANK_FOR_VERSION_DROPPED && versionNumberDropped(s, t.stripped[series])) consider(series, PLAUSIBLE, () => 'version number dropped');

    // 6. One edit from a popular name (separators ignored); in a scoped name the edit may be in the scope.
    const judge = (r: number): void => {
      if (!usable(r)) return;
      const target = t.stripped[r];
      const e = singleEdit(s, target);
      if (!e || digitsOnly(e) || versionMark(e, s, target)) return;
      // A vowel left out between consonants (npm) or of a pair of vowels (lookalike/vowel-pair.ts) is a likely slip.
      const plausibility = (this.ecosystem === 'npm' && vowelDropped(e, target)) || vowelPairSimplified(e, target) ? PLAUSIBLE : editPlausibility(e, s, target);
      // Short names are one keystroke from many others: only the commonest slips count there.
      if (target.length < MIN_EDIT_TARGET_LENGTH && plausibility < MOST_PLAUSIBLE) return;
      // PyPI: a 5-letter name takes a plausible slip only from the top 5,000 (lookalike/short-name-slip.ts).
      if (pypi && fiveLetterSlipTooFar(target.length, r, plausibility === MOST_PLAUSIBLE)) return;
      // On PyPI a letter struck after the last one of a long name counts whatever the rank (lookalike/letter-added-at-end.ts);
      // on npm the last letter of a name left out (lookalike/letter-missing-at-end.ts).
      const atEnd = this.ecosystem === 'pypi' ? letterAddedAtEnd(e, s, target) : letterMissingAtEnd(e, target);
      // On PyPI a `py` name is as famous as its core (`pytorch` as torch; lookalike/affix-core-fame.ts).
      if (plausibility === LEAST_PLAUSIBLE && r >= this.maxRankForUnlikelyEdit(e, target) && !atEnd && !(pypi && this.fameRank(t, r) < this.maxRankForUnlikelyEdit(e, target))) return;
      // The edit turns one word into another word that popular names use (`crypto-es`, `mock.js`): a different name, not a slip.
      // Except the singular or plural of one of the biggest names (`request` for requests): far more likely meant than not.
      if (this.editMakesKnownWord(t, lower, e, t.lower[r]) && !(pluralS(e, s) && r < MAX_RANK_FOR_PLURAL_WORDS && s.length >= MIN_EDIT_TARGET_LENGTH)) return;
      consider(
        r,
        plausibility,
        () => {
          const why = EDIT_REASON[e.kind];
          return scope && scopeOf(t.lower[r]) ? `look-alike scope, ${why}` : why;
        },
        e.at === 0,
        // The same slip with the separators laid out otherwise is two changes, not one (`js-shas` is js-sha3
        // with one key struck wrong, not jssha plus a separator and an "s"): it ranks a step lower.
        separatorsMatch(lower, t.lower[r], scope !== undefined),
      );
    };
    if (s.length >= MIN_EDIT_TARGET_LENGTH - 1) {
      const { keys, ranks, mask } = t.deletions;
      const count = deletionHashes(s);
      for (let k = 0; k < count; k++) {
        const hash = hashBuffer[k];
        for (let i = hash & mask; ranks[i] !== -1; i = (i + 1) & mask) if (keys[i] === hash) judge(ranks[i]);
      }
    }
    // Short targets (4 letters) are probed directly with the only slips they accept: a doubled letter, a swap;
    // 3-letter targets among the top MAX_RANK_FOR_UNLIKELY_SHORT_EDITS only with a doubled letter (`zodd`, `vuee`).
    if (s.length === MIN_SHORT_TARGET_LENGTH + 1 || s.length === MIN_SHORT_TARGET_LENGTH) {
      for (let i = 1; i < s.length; i++) if (s[i] === s[i - 1]) judgeShort(s.slice(0, i) + s.slice(i + 1));
    }
    if (s.length === MIN_SHORT_TARGET_LENGTH) {
      for (let i = 0; i + 1 < s.length; i++) if (s[i] !== s[i + 1]) judgeShort(s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2));
    }
    function judgeShort(form: string): void {
      const r = t.shortNames.get(form);
      if (r !== undefined) judge(r);
    }
    if (best) return hit(best.rank, best.reason);

    // 6b. One letter moved (`rceat`, `require-ports`) or two letters swapped across a third (`uglyfi`).
    if (s.length >= MIN_EDIT_TARGET_LENGTH) {
      for (const r of t.byLetters.get(letterBagHash(s)) ?? []) {
        const how = displacement(s, t.stripped[r]);
        // Acronyms and short words are reordered on purpose (`react-dfp`, `django-etc`): only slips in a longer word count.
        if (how && longestWordIn(t.lower[r], how.from, how.to) >= MIN_EDIT_TARGET_LENGTH) consider(r, PLAUSIBLE, () => how.reason);
      }
      const moved = best as Candidate | undefined; // set by consider()
      if (moved) return hit(moved.rank, moved.reason);
    }

    // 6c. An affix and one slip of the fingers (`ethetsjs`: ethers with a neighbouring key, plus "js"). Two
    //     changes at once: the plausible slips, and an unlikely one only inside the name and against the
    //     names rule 6 takes it for (`ethesjs`); targets of 5 letters or more.
    //     npm only: on PyPI `py`/`python` is how bindings of a library are named (`pystac`, `pyescrypt`).
    for (const { core, removed, head = 0, tail = 0 } of this.ecosystem === 'npm' ? gluedCores(s, this.affixes) : []) {
      if (core.length < MIN_EDIT_TARGET_LENGTH - 1) continue;
      const coreLower = dropLetters(lower, head, tail);
      // The affix must not be cut from a word that popular names use (`jstransformer-ejs`).
      if (cutsKnownWord(t.wordUses, lower, coreLower, this.affixes)) continue;
      const count = deletionHashes(core);
      const { keys, ranks, mask } = t.deletions;
      for (let k = 0; k < count; k++) {
        const hash = hashBuffer[k];
        for (let i = hash & mask; ranks[i] !== -1; i = (i + 1) & mask) {
          if (keys[i] !== hash) continue;
          const r = ranks[i];
          if (!usable(r)) continue;
          const target = t.stripped[r];
          const e = singleEdit(core, target);
          if (!e || digitsOnly(e) || versionMark(e, core, target)) continue;
          const plausibility = editPlausibility(e, core, target);
          // An unlikely slip as in rule 6, inside the name only (lookalike/affix-and-unlikely-slip.ts).
          const unlikelyOk = r < this.maxRankForUnlikelyEdit(e, target) && unlikelySlipInside(e, target);
          if ((plausibility === LEAST_PLAUSIBLE && !unlikelyOk) || (plausibility < MOST_PLAUSIBLE && pluralS(e, core)) || this.editMakesKnownWord(t, coreLower, e, t.lower[r])) continue;
          consider(r, plausibility, () => `extra ${removed}, ${EDIT_REASON[e.kind]}`);
        }
      }
    }
    const affixAndSlip = best as Candidate | undefined; // set by consider()
    if (affixAndSlip) return hit(affixAndSlip.rank, affixAndSlip.reason);

    // 6d. Two slips at once, each a plausible one (`fa-extar`: a neighbouring key and a swap), against the biggest names only.
    //     A word boundary the target does not have is meant, not slipped (`blink-led`, `inherits-ex`).
    //     PyPI: from the top 100, one plausible slip and one other change, tried after 6e-6e2 (lookalike/two-edits-top-names.ts).
    let oneSlipOfTwo: { rank: number; reason: string } | undefined;
    if (s.length >= MIN_TWO_SLIP_TARGET_LENGTH - 2) {
      const mask = letterMask(s);
      let wordCount = -1;
      let found: { rank: number; reason: string } | undefined;
      // Two edits change the length by two at most and leave out, or bring in, two letters at most.
      for (let n = s.length - 2; n <= s.length + 2; n++) {
        const bucket = t.twoSlipTargets[n];
        if (!bucket) continue;
        const { ranks, masks } = bucket;
        for (let k = 0; k < ranks.length; k++) {
          const r = ranks[k];
          if ((found && r >= found.rank) || bitCount(masks[k] & ~mask) > 2 || bitCount(mask & ~masks[k]) > 2) continue;
          const target = t.stripped[r];
          if (!usable(r) || target === s || !withinTwoEdits(s, target)) continue;
          if (wordCount === -1) wordCount = words(lower).length;
          if (wordCount > words(t.lower[r]).length) continue;
          const slips = twoPlausibleSlips(s, target);
          if (slips && !this.editMakesKnownWord(t, lower, slips[0], t.lower[r])) found = { rank: r, reason: twoSlipsReason(slips) };
          else if (this.ecosystem === 'pypi' && r < MAX_RANK_FOR_ONE_UNLIKELY_OF_TWO && (!oneSlipOfTwo || r < oneSlipOfTwo.rank)) {
            const loose = twoPlausibleSlips(s, target, r);
            if (loose && !this.editMakesKnownWord(t, lower, loose[0], t.lower[r])) oneSlipOfTwo = { rank: r, reason: twoSlipsReason(loose) };
          }
        }
      }
      if (found) return hit(found.rank, found.reason);
    }

    // 6d2. npm: two letters swapped and a letter left out apart from them (`mogobd`, `regenraotr`), against long
    //      names of any rank. A swapped form of the name is then a one-letter deletion of the target, which the
    //      one-edit index holds: one probe a swap, hashed without building the form. See lookalike/swap-and-slip.ts.
    if (this.ecosystem === 'npm' && s.length >= MIN_SWAP_AND_SLIP_TARGET_LENGTH - 1) {
      const r = this.swapAndOmission(t, s, lower, usable);
      if (r !== undefined) return hit(r, 'two letters swapped and one letter missing');
    }

    // 6e. npm: sounds the same (`dezcord.js`, `deezcord.js` for discord.js): same consonants in the same
    //     order, vowels of a kind, doubled letters, s/z, c/k/q and f/ph aside; both names of 7 letters or more, and no
    //     word boundary the target lacks (as in 6d).
    //     npm only: on PyPI vowel-heavy prefixes and acronyms (`aio`, `py`, `pie`/`pyi`) sound alike
    //     without being slips (8 false flags in the list's tail for 1 look-alike found).
    if (this.ecosystem === 'npm' && s.length >= MIN_SOUND_ALIKE_LENGTH) {
      t.bySound ??= soundIndex(t.lower, t.stripped);
      for (const r of t.bySound.ranksOf(soundHash(lower))) {
        if (usable(r) && t.stripped[r] !== s && soundKey(lower) === soundKey(t.lower[r])) {
          if (words(lower).length <= words(t.lower[r]).length) return hit(r, 'sounds the same');
          break;
        }
      }
    }

    // 6e2. A British spelling of a popular name, or of a slip of one (`colouramas` for colorama): the other
    //      rules asked about the American spelling. See lookalike/british-spelling.ts.
    for (const american of americanSpellings(lower)) {
      const exact = this.isPopular(american) ? this.rankOf(t, this.lowerForm(american)) : undefined;
      if (usable(exact)) return hit(exact, 'British spelling');
      const found = this.lookAlike(american);
      if (found && !found.weak && this.lowerForm(found.target) !== lower) return { ...found, reason: `British spelling, ${found.reason}` };
    }

    if (oneSlipOfTwo) return hit(oneSlipOfTwo.rank, oneSlipOfTwo.reason);

    // 6f. npm: the number a name ends in changed to one that is not its neighbour in the series
    //     (`bip30` for bip39; `ckeditor4` for ckeditor5 is the series' previous major). A warning: a number
    //     can name a standard as well (`base58`, `crc16`). See lookalike/number-changed.ts.
    const numbered = this.ecosystem === 'npm' ? trailingNumber(s) : undefined;
    if (numbered) {
      t.byNumberStem ??= numberStems(t.stripped);
      for (const r of t.byNumberStem.get(numbered.stem) ?? []) {
        const digits = t.stripped[r].slice(numbered.stem.length);
        if (usable(r) && numberChangedAway(numbered.digits, digits)) return { ...hit(r, `number changed ("${numbered.digits}" for "${digits}")`), weak: true };
      }
    }

    // 6g2. PyPI: a popular name that no popular package extends, joined to another popular name
    //      (`beautifulsoup-requests`): a warning. See lookalike/popular-names-joined.ts.
    if (pypi && s.length >= 2 * MIN_EDIT_TARGET_LENGTH) {
      const joined = popularNamesJoined(s, {
        rankOf: (stripped) => {
          const r = this.strippedRank(t, stripped);
          return usable(r) ? r : undefined;
        },
        standing,
        mayStart: (start) => (t.joinedStarts ??= joinedStarts(t.stripped, (r) => standingOf(t, r))).has(start),
        extended: (stripped) => hasExtension((t.sortedStripped ??= [...t.stripped].sort()), stripped),
      }, lower === s);
      if (joined) return { ...hit(joined.target, `a popular name plus the popular name "${this.names[joined.target === joined.first ? joined.second : joined.first]}"`), weak: true };
    }

    // 6g3. A popular name's last word abbreviated or spelled out (`fairsequence` for fairseq): a
    //      warning. See lookalike/abbreviation-spelled-out.ts.
    for (const other of otherSpellings(s)) {
      const r = this.strippedRank(t, other);
      if (usable(r)) return { ...hit(r, `its last word spelled differently ("${other}")`), weak: true };
    }

    // 6g. npm: a popular name plus generic words (`axios-http`, `node-mongoose-orm`): a combosquat, warned
    //     about rather than blocked. See lookalike/generic-words.ts.
    //     PyPI: only two generic words or more at once (`requests-darwin-lite`).
    {
      for (const { core, removed } of genericWordsRemoved(lower)) {
        if (removed.length < minGenericWords(this.ecosystem)) continue;
        const r = skeletonRank(t, stripSeparators(core));
        if (usable(r) && r < MAX_RANK_FOR_GENERIC_WORDS && t.stripped[r].length >= MIN_SHORT_TARGET_LENGTH) {
          const words = removed.map((w) => `"${w}"`).join(' and ');
          return { ...hit(r, `a popular name plus the generic word${removed.length > 1 ? 's' : ''} ${words}`), weak: true };
        }
      }
    }

    // 7. Any name under a scope that imitates a big popular scope (`@typess/anything`).
    return scope === undefined ? undefined : this.lookAlikeScope(t, scope, name.slice(scope.length + 1));
  }

  /**
   * Whether the edit lands in a word (split on separators, `/` and `@`) that at least MIN_WORD_USES
   * popular names use (MIN_SHORT_WORD_USES for 2-letter words, which collide more easily) and that
   * the target does not have: `crypto-es` is crypto plus the word "es", not a slip of `crypto-js`.
   */
  private editMakesKnownWord(t: Tables, candidate: string, edit: SingleEdit, target: string): boolean {
    // Find the candidate's word that holds the edit (for a missing letter, the word it is missing from).
    // A letter missing between two words is missing from the start of the second (`is-zip` vs `is-gzip`),
    // unless it doubles the letter before it: `coffe-script` lacks the second "e" of "coffee", not a letter of "script".
    const doubled = edit.kind === 'missing' && edit.at > 0 && target.replace(SEPARATORS, '')[edit.at - 1] === edit.targetChar;
    const at = doubled ? edit.at - 1 : edit.at;
    let pos = 0;
    let word: string | undefined;
    const ws = words(candidate);
    for (const [i, w] of ws.entries()) {
      const end = pos + w.length;
      if (at < end || (edit.kind === 'missing' && at === end && i === ws.length - 1)) {
        word = w;
        break;
      }
      pos = end;
    }
    if (word === undefined || words(target).includes(word)) return false;
    return isKnownWord(t.wordUses, word);
  }

  /**
   * Rule 6d2 (lookalike/swap-and-slip.ts): the most popular name of MIN_SWAP_AND_SLIP_TARGET_LENGTH letters
   * or more that `s` (= stripSeparators(lower)) is with two letters swapped and one left out apart from them.
   */
  private swapAndOmission(t: Tables, s: string, lower: string, usable: (rank: number | undefined) => rank is number): number | undefined {
    let found: number | undefined;
    let wordCount = -1;
    const { keys, ranks, mask } = t.deletions;
    const bits = t.deletions.filter();
    // Only swaps in a word of 5 letters or more: acronyms and short words are reordered on purpose (`react-dfp`).
    const count = swapHashes(s, lower, MIN_EDIT_TARGET_LENGTH);
    for (let k = 0; k < count; k++) {
      const hash = hashBuffer[k];
      if (!inFilter(bits, hash)) continue;
      const at = swapPositions[k];
      for (let i = hash & mask; ranks[i] !== -1; i = (i + 1) & mask) {
        if (keys[i] !== hash) continue;
        const r = ranks[i];
        if ((found !== undefined && r >= found) || !usable(r)) continue;
        const target = t.stripped[r];
        if (target.length !== s.length + 1 || target.length < MIN_SWAP_AND_SLIP_TARGET_LENGTH) continue;
        const e = singleEdit(s.slice(0, at) + s[at + 1] + s[at] + s.slice(at + 2), target);
        // One edit from the target (the swap undoes itself next to the gap) is rule 6's to judge.
        if (!e || singleEdit(s, target) || !omissionApartFromSwap(e, at, t.lower[r])) continue;
        if (wordCount === -1) wordCount = words(lower).length;
        if (wordCount > words(t.lower[r]).length || this.editMakesKnownWord(t, lower, e, t.lower[r])) continue;
        found = r;
      }
    }
    return found;
  }

  private lookAlikeScope(t: Tables, scope: string, rest: string): LookAlike | undefined {
    if (t.scopes.has(scope)) return undefined;
    let best = t.bigScopeBySkeleton.get(confusableSkeleton(stripSeparators(scope)));
    let why = best === undefined ? '' : stripSeparators(scope) === stripSeparators(scopeOf(t.lower[best]) ?? '') ? 'different separators' : 'look-alike characters';
    if (best === undefined) {
      for (const key of [scope, ...oneDeletions(scope)]) {
        for (const rank of t.bigScopeDeletions.get(key) ?? []) {
          if (best !== undefined && rank >= best) continue;
          const edit = singleEdit(scope, scopeOf(t.lower[rank]) ?? '');
          if (edit && !digitsOnly(edit)) {
            best = rank;
            why = EDIT_REASON[edit.kind];
          }
        }
      }
    }
    if (best === undefined) return undefined;
    const target = this.names[best];
    return { target: `${target.slice(0, target.indexOf('/'))}/${rest}`, reason: `look-alike scope, ${why}` };
  }
}
