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
 *   4. scope     npm: `types-node` for `@types/node`
 *   5. affix     equal once `js`/`node` (npm) or `py`/`python` (PyPI) is added, removed or swapped
 *                (`lodash-js`, `node-lodash`, `python-requests`, `nmap-python`)
 *   6. edit      one insertion, deletion, substitution or adjacent swap (OSA distance 1, separators
 *                ignored) from a popular name of at least 5 characters; this includes `@type/node`
 *   7. scope     npm: any name under a scope one edit from a big popular scope (`@babell/x` → `@babel/x`)
 * Not flagged: a name within the target's own npm scope (only the scope's owner publishes there), and
 * edits that only add, drop or change a digit (`ckeditor4`/`ckeditor5`: versions, not typos).
 *
 * Speed: rules 1-5 are Map probes; rule 6 uses a deletion-neighbourhood (SymSpell) index keyed by
 * 32-bit hashes in typed arrays, so a look-up costs O(length) probes and allocates almost nothing,
 * instead of a Levenshtein scan over 20,000 names. Hash collisions are harmless: every hit is verified.
 */
import { readFileSync } from 'node:fs';
import type { Ecosystem, PopularNameIndex } from '../core/types.js';
import { normalizePypiName } from '../pypi/normalize-name.js';

export interface LookAlike {
  target: string;
  reason: string;
}

/** Shortest target (separators removed) that the one-edit rules compare against. */
export const MIN_EDIT_TARGET_LENGTH = 5;
/** Shortest name left once an affix is removed that the affix rule accepts (`d3.js` → `d3`). */
export const MIN_AFFIX_CORE_LENGTH = 2;
/** A scope with at least this many popular names is a brand worth imitating (`@types`, `@babel`). */
export const MIN_BIG_SCOPE_NAMES = 10;

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

/**
 * The index for an ecosystem, built from the bundled data on first use and kept for the process.
 * Calling this costs nothing: the file is read when `isPopular` or `lookAlike` is first called.
 */
export function popularNames(ecosystem: Ecosystem): PopularNameIndex {
  let index = cache.get(ecosystem);
  if (!index) {
    let built: PopularNameMatcher | undefined;
    const get = (): PopularNameMatcher =>
      (built ??= new PopularNameMatcher(ecosystem, parsePopularNames(readFileSync(dataFiles[ecosystem], 'utf8'))));
    index = {
      isPopular: (name) => get().isPopular(name),
      lookAlike: (name) => get().lookAlike(name),
    };
    cache.set(ecosystem, index);
  }
  return index;
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

const FOLDS = /[01i|!]|rn|vv/g;
const FOLD: Record<string, string> = { '0': 'o', '1': 'l', i: 'l', '|': 'l', '!': 'l', rn: 'm', vv: 'w' };

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
  return s.replace(FOLDS, (c) => FOLD[c] ?? c);
}

interface AffixRules {
  prefixes: readonly string[];
  suffixes: readonly string[];
}

const AFFIXES: Record<Ecosystem, AffixRules> = {
  npm: { prefixes: ['nodejs', 'node'], suffixes: ['nodejs', 'node', 'js'] },
  pypi: { prefixes: ['python3', 'python', 'py3', 'py'], suffixes: ['python3', 'python', 'py3', 'py'] },
};

/** A name with an affix removed (separators already stripped), and a description of what was removed. */
interface Core {
  core: string;
  removed: string;
}

/** Cores of a candidate: affixes removed whether or not a separator sets them apart (`lodashjs`, `node-lodash`). */
function gluedCores(stripped: string, rules: AffixRules): Core[] {
  const out: Core[] = [];
  for (const p of rules.prefixes) {
    if (stripped.length <= p.length || !stripped.startsWith(p)) continue;
    out.push({ core: stripped.slice(p.length), removed: `"${p}" prefix` });
    for (const x of rules.suffixes) {
      if (stripped.length > p.length + x.length && stripped.endsWith(x)) {
        out.push({ core: stripped.slice(p.length, -x.length), removed: `"${p}" prefix and "${x}" suffix` });
      }
    }
  }
  for (const x of rules.suffixes) {
    if (stripped.length > x.length && stripped.endsWith(x)) {
      out.push({ core: stripped.slice(0, -x.length), removed: `"${x}" suffix` });
    }
  }
  return out;
}

/** Cores of a popular name: only affixes that stand apart as a word (`uglify-js` → `uglify`, not `nodemon` → `mon`). */
function separatedCores(lower: string, rules: AffixRules): Core[] {
  if (!rules.prefixes.some((p) => lower.startsWith(p)) && !rules.suffixes.some((x) => lower.endsWith(x))) return [];
  const words = lower.split(SEPARATORS).filter((w) => w !== '');
  if (words.length < 2) return [];
  const out: Core[] = [];
  const first = words[0];
  const last = words[words.length - 1];
  const hasPrefix = rules.prefixes.includes(first);
  const hasSuffix = rules.suffixes.includes(last);
  if (hasPrefix) out.push({ core: words.slice(1).join(''), removed: `"${first}" prefix` });
  if (hasSuffix) out.push({ core: words.slice(0, -1).join(''), removed: `"${last}" suffix` });
  if (hasPrefix && hasSuffix && words.length > 2) {
    out.push({ core: words.slice(1, -1).join(''), removed: `"${first}" prefix and "${last}" suffix` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// One edit

export type EditKind = 'swap' | 'changed' | 'missing' | 'added';

const EDIT_REASON: Record<EditKind, string> = {
  swap: 'two letters swapped',
  changed: 'one letter changed',
  missing: 'one letter missing',
  added: 'one letter added',
};

export interface SingleEdit {
  kind: EditKind;
  /** The candidate's character involved ('' when a letter is missing). */
  candidateChar: string;
  /** The target's character involved ('' when a letter was added). */
  targetChar: string;
}

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
    if (tailsEqual(a, i + 1, b, 0)) return { kind: 'changed', candidateChar: a[i], targetChar: b[i] };
    if (i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && tailsEqual(a, i + 2, b, 0)) {
      return { kind: 'swap', candidateChar: a[i], targetChar: b[i] };
    }
    return undefined;
  }
  if (la < lb) return tailsEqual(a, i, b, 1) ? { kind: 'missing', candidateChar: '', targetChar: b[i] } : undefined;
  return tailsEqual(b, i, a, 1) ? { kind: 'added', candidateChar: a[i], targetChar: '' } : undefined;
}

/** Edits that only add, drop or change a digit name a version or a series, not a typo. */
function digitsOnly(edit: SingleEdit): boolean {
  const digit = (c: string): boolean => c === '' || (c >= '0' && c <= '9');
  return edit.kind !== 'swap' && digit(edit.candidateChar) && digit(edit.targetChar);
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

/** Every distinct string made by deleting one character of `s` (used for the short list of scopes). */
function oneDeletions(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    if (i === 0 || s.charCodeAt(i) !== s.charCodeAt(i - 1)) out.push(s.slice(0, i) + s.slice(i + 1));
  }
  return out;
}

/** An open-addressing multimap from 32-bit hash to rank, in two typed arrays (rank -1 = empty slot). */
class DeletionIndex {
  readonly keys: Int32Array;
  readonly ranks: Int32Array;
  readonly mask: number;

  constructor(entries: number) {
    let size = 1024;
    while (size < entries * 2) size *= 2;
    this.keys = new Int32Array(size);
    this.ranks = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  /** Indexes `s` and its one-character deletions under `rank`. */
  addName(s: string, rank: number): void {
    const { keys, ranks, mask } = this;
    const count = deletionHashes(s);
    for (let k = 0; k < count; k++) {
      const hash = hashBuffer[k];
      let i = hash & mask;
      while (ranks[i] !== -1) i = (i + 1) & mask;
      keys[i] = hash;
      ranks[i] = rank;
    }
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
  bySkeleton: Map<string, number>;
  byCore: Map<string, number>;
  coreRemoved: Map<string, string>;
  /** Rule 6. */
  deletions: DeletionIndex;
  /** Rule 7: every popular npm scope (with `@`); the big ones by folded form and by one-deletion forms. */
  scopes: Set<string>;
  bigScopeBySkeleton: Map<string, number>;
  bigScopeDeletions: Map<string, number[]>;
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

  /** Builds the look-alike tables on first use (isPopular alone never needs them). */
  private build(): Tables {
    const lower = this.names.map((n) => this.lowerForm(n));
    const stripped = lower.map(stripSeparators);
    const byLower = new Map<string, number>();
    const bySkeleton = new Map<string, number>();
    const byCore = new Map<string, number>();
    const coreRemoved = new Map<string, string>();
    const scopes = new Set<string>();
    const scopeSizes = new Map<string, { rank: number; size: number }>();
    let entries = 0;
    for (let rank = 0; rank < lower.length; rank++) {
      const l = lower[rank];
      if (l !== this.names[rank]) firstRank(byLower, l, rank);
      firstRank(bySkeleton, confusableSkeleton(stripped[rank]), rank);
      for (const { core, removed } of separatedCores(l, this.affixes)) {
        if (!byCore.has(core)) {
          byCore.set(core, rank);
          coreRemoved.set(core, removed);
        }
      }
      const scope = scopeOf(l);
      if (scope !== undefined) {
        scopes.add(scope);
        const size = scopeSizes.get(scope);
        if (size) size.size++;
        else scopeSizes.set(scope, { rank, size: 1 });
      }
      if (stripped[rank].length >= MIN_EDIT_TARGET_LENGTH) entries += stripped[rank].length + 1;
    }
    const deletions = new DeletionIndex(entries);
    for (let rank = 0; rank < stripped.length; rank++) {
      if (stripped[rank].length >= MIN_EDIT_TARGET_LENGTH) deletions.addName(stripped[rank], rank);
    }
    const bigScopeBySkeleton = new Map<string, number>();
    const bigScopeDeletions = new Map<string, number[]>();
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
    return { lower, stripped, byLower, bySkeleton, byCore, coreRemoved, deletions, scopes, bigScopeBySkeleton, bigScopeDeletions };
  }

  lookAlike(input: string): LookAlike | undefined {
    const name = input.trim();
    if (name === '' || this.isPopular(name)) return undefined;
    const t = (this.tables ??= this.build());
    const lower = this.lowerForm(name);
    const s = stripSeparators(lower);
    const scope = this.ecosystem === 'npm' ? scopeOf(lower) : undefined;
    // Within one npm scope only the scope's owner can publish: nothing there is a squat.
    const usable = (rank: number | undefined): rank is number =>
      rank !== undefined && (scope === undefined || scopeOf(t.lower[rank]) !== scope);
    const hit = (rank: number, reason: string): LookAlike => ({ target: this.names[rank], reason });

    // 1. Letter case (PyPI names are case-insensitive: isPopular already said yes).
    let rank = t.byLower.get(lower);
    if (usable(rank)) return hit(rank, 'differs only in letter case');
    if (lower !== name && this.canonical.has(lower)) return { target: lower, reason: 'differs only in letter case' };

    // 2 + 3. Separators and look-alike characters.
    rank = t.bySkeleton.get(confusableSkeleton(s));
    if (usable(rank)) {
      if (t.stripped[rank] !== s) return hit(rank, 'look-alike characters');
      return hit(rank, s === lower ? 'separator missing' : 'different separators');
    }

    // 4. An unscoped copy of a DefinitelyTyped package. Other scopes are left alone: their old
    //    unscoped names (`babel-plugin-x`, `turf-x`) are legitimate packages.
    if (this.ecosystem === 'npm' && lower.startsWith('types-')) {
      const scoped = `@types/${lower.slice('types-'.length)}`;
      if (this.canonical.has(scoped)) return { target: scoped, reason: 'scope dropped' };
    }

    // 5 + 6 keep the most popular target.
    let best = Infinity;
    let reason = '';
    const consider = (r: number | undefined, why: () => string): void => {
      if (usable(r) && r < best && t.stripped[r] !== s) {
        best = r;
        reason = why();
      }
    };

    // 5. Affixes: added to a popular name, or swapped for another one.
    for (const { core, removed } of gluedCores(s, this.affixes)) {
      if (core.length < MIN_AFFIX_CORE_LENGTH) continue;
      consider(t.bySkeleton.get(confusableSkeleton(core)), () => `extra ${removed}`);
      consider(t.byCore.get(core), () => `${removed} instead of ${t.coreRemoved.get(core)}`);
    }
    if (best !== Infinity) return hit(best, reason);

    // 6. One edit from a popular name (separators ignored); in a scoped name the edit may be in the scope.
    if (s.length >= MIN_EDIT_TARGET_LENGTH - 1) {
      const { keys, ranks, mask } = t.deletions;
      let edit: SingleEdit | undefined;
      const count = deletionHashes(s);
      for (let k = 0; k < count; k++) {
        const hash = hashBuffer[k];
        for (let i = hash & mask; ranks[i] !== -1; i = (i + 1) & mask) {
          const r = ranks[i];
          if (keys[i] !== hash || r >= best || !usable(r)) continue;
          const e = singleEdit(s, t.stripped[r]);
          if (e && !digitsOnly(e)) {
            best = r;
            edit = e;
          }
        }
      }
      if (edit) {
        const why = EDIT_REASON[edit.kind];
        return hit(best, scope && scopeOf(t.lower[best]) ? `look-alike scope, ${why}` : why);
      }
    }

    // 7. Any name under a scope that imitates a big popular scope (`@typess/anything`).
    return scope === undefined ? undefined : this.lookAlikeScope(t, scope, name.slice(scope.length + 1));
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
