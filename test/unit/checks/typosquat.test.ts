import { defaultSettings } from '../../../src/config/settings.js';
import { describe, expect, it } from 'vitest';
import { buildPopularNameIndex, confusableSkeleton, displacement, parsePopularNames, popularNames, singleEdit, soundKey, twoPlausibleSlips } from '../../../src/checks/popular-names.js';
import { typosquat } from '../../../src/checks/typosquat.js';
import type { CheckContext, Ecosystem, PackageFacts, SourceKind } from '../../../src/core/types.js';
import { normalizePypiName } from '../../../src/pypi/normalize-name.js';

// Against the bundled data (data/popular-*.tsv): [candidate, expected target or null, reason].
const npmCases: [string, string | null, string?][] = [
  ['lodahs', 'lodash', 'two letters swapped'],
  ['expres', 'express', 'one letter missing'],
  ['expresss', 'express', 'one letter added'],
  ['exprass', 'express', 'one letter changed'],
  ['reactdom', 'react-dom', 'separator missing'],
  ['react_dom', 'react-dom', 'different separators'],
  ['react.dom', 'react-dom', 'different separators'],
  ['@type/node', '@types/node', 'look-alike scope, one letter missing'],
  ['@typess/node', '@types/node', 'look-alike scope, one letter added'],
  ['@tpyes/node', '@types/node', 'look-alike scope, two letters swapped'],
  ['@typess/not-a-real-package', '@types/not-a-real-package', 'look-alike scope, one letter added'],
  ['@babell/core', '@babel/core', 'look-alike scope, one letter added'],
  ['types-node', '@types/node', 'scope dropped'],
  ['l0dash', 'lodash', 'look-alike characters'],
  ['1odash', 'lodash', 'look-alike characters'],
  ['rnoment', 'moment', 'look-alike characters'],
  ['vvebpack', 'webpack', 'look-alike characters'],
  ['l\u043edash', 'lodash', 'look-alike characters'], // Cyrillic о
  ['\u0435xpress', 'express', 'look-alike characters'], // Cyrillic е
  ['\u0435\u0445\u0440\u0433\u0435ss', 'express', 'look-alike characters'], // Cyrillic е х р г е
  ['l\u00f6dash', 'lodash', 'look-alike characters'], // ö
  ['\uff4c\uff4f\uff44\uff41\uff53\uff48', 'lodash', 'look-alike characters'], // full-width
  ['lodash-js', 'lodash', 'extra "js" suffix'],
  ['lodash.js', 'lodash', 'extra "js" suffix'],
  ['lodashjs', 'lodash', 'extra "js" suffix'],
  ['node-lodash', 'lodash', 'extra "node" prefix'],
  ['lodash-node', 'lodash', 'extra "node" suffix'],
  ['jsonstream', 'JSONStream', 'differs only in letter case'],
  ['Lodash', 'lodash', 'differs only in letter case'],
  ['chalks', 'chalk', 'one letter added'],
  // Issue 11: short names (4 letters) match a doubled letter or two letters swapped only.
  ['vitte', 'vite', 'one letter added'],
  ['jset', 'jest', 'two letters swapped'],
  ['globb', 'glob', 'one letter added'], // the doubled letter, not globby's missing "y"
  ['we3b', 'web3', 'two letters swapped'],
  // Affix words: "-dev", and an exact popular name plus "-js" beats a separator variant of another one.
  ['typescript-dev', 'typescript', 'extra "dev" suffix'],
  ['punycode-js', 'punycode', 'extra "js" suffix'],
  // The most plausible slip wins over the more popular target: swap beats an unrelated letter.
  ['scryptys', 'scryptsy', 'two letters swapped'],
  // Words, not slips: the edit makes a word that popular names use.
  ['crypto-es', null], // crypto-js
  ['mock.js', null], // sockjs
  ['is-zip', null], // jszip / is-gzip
  ['byte', null], // bytes
  ['uuid4', null], // uuidv4: "v" before a digit is version notation
  ['coffi', null], // koffi: an unlikely substitution of a name outside the top 10,000
  [' lodahs ', 'lodash', 'two letters swapped'],
  // Issue 11 item 1: a missing doubled letter at a word boundary belongs to the first word ("coffe" lacks an "e"),
  // so "script", a word other names use, does not hide the slip.
  ['coffe-script', 'coffeescript', 'one letter missing'],
  // A letter typed early or late, or two letters swapped across a third, in a word of 5 letters or more...
  ['rceat', 'react', 'one letter moved'],
  ['degbu', 'debug', 'one letter moved'],
  ['require-ports', 'requires-port', 'one letter moved'],
  ['uglyfi-js', 'uglify-js', 'two letters swapped'],
  // ...but acronyms and short words are reordered on purpose.
  ['react-dfp', null], // react-pdf
  ['tinyurl', null], // tiny-lru
  // An affix and one slip of the fingers (npm)...
  ['ethetsjs', 'ethers', 'extra "js" suffix, one letter changed'],
  // ...but not a plural (a choice, not a slip), and not an affix cut out of a word other names use.
  ['node-getopt', null], // getopts
  ['jstransformer-ejs', null], // jstransformer + "e"
  // Two plausible slips from one of the 500 most popular names of 7 letters or more...
  ['fa-extar', 'fs-extra', 'two letters swapped and one letter changed'],
  ['chokader', 'chokidar', 'two letters changed'],
  // ...not with a word boundary the target lacks, and not from a less popular name.
  ['inherits-ex', null], // inherits
  ['dsicprd.js', null], // discord.js, rank 12,524
  ['dezcord.js', 'discord.js', 'sounds the same'], // two slips too, but sounds the same (rule 6e)
  // 3-letter names of the top 1,000: a doubled letter only.
  ['zodd', 'zod', 'one letter added'],
  // A series whose members are close in popularity are siblings, each its own target (mysql2 is only 2.7x above mysql).
  ['mysqll', 'mysql', 'one letter added'],
  ['sqlitte', 'sqlite', 'one letter added'],
  ['gtts', null], // gts is not in the top 1,000
  // The singular or plural of one of the top 1,000 names, even where it makes a word other names use.
  ['supports-colors', 'supports-color', 'one letter added'],
  ['eslint-plugin-react-hook', 'eslint-plugin-react-hooks', 'one letter missing'],
  // Sounds the same (npm, 7 letters or more): same consonants in the same order, vowels of a kind, doubled letters, s/z, c/k, f/ph aside...
  ['phastify', 'fastify', 'sounds the same'],
  ['kommandder', 'commander', 'sounds the same'],
  // ...not with a word boundary the target lacks, not in short names.
  ['kom-mandder', null],
  ['tory', null], // to-array
  // A vowel left out between consonants is a likely slip on npm, even from a 5-letter name outside the top 1,000.
  ['bp39', 'bip39', 'one letter missing'],
  ['bip3', null], // a digit: versions, not typos
  // A major version number added as a word of its own poses as the next release of a popular name...
  ['lodash-4', 'lodash', 'version number added'],
  ['express.5', 'express', 'version number added'],
  // ...but glued digits name a series (`ckeditor4`, `fabric2`), 4 digits a year or a standard, and short names are crowded.
  ['lodash4', null],
  ['express-2025', null],
  ['vue-3', null],
  // Popular names are never flagged, even when they sit one edit from a more popular one.
  ['lodash', null],
  ['ws', null],
  ['ms', null],
  ['qs', null],
  ['safer-buffer', null],
  ['safe-buffer', null],
  ['@types/node', null],
  ['JSONStream', null],
  // Guards.
  ['hulp', null], // gulp: targets under 5 characters only match a doubled letter, a swap, separators, look-alikes, affixes
  ['tea', null], // eta: 3-letter names match no edit at all
  ['ckeditor4', null], // ckeditor5: digit-only edits are versions, not typos
  ['gpt3-tokenizer', null], // gpt-tokenizer
  ['@types/nod', null], // same scope: only DefinitelyTyped can publish there
  ['@lodash/lodash', null], // a popular name under its own-named scope is not confusable enough
  ['babel-plugin-external-helpers', null], // old unscoped name of a scoped package: legitimate
  ['some-unrelated-package-name', null],
  ['', null],
];

const pypiCases: [string, string | null, string?][] = [
  ['reqeusts', 'requests', 'two letters swapped'],
  ['requets', 'requests', 'one letter missing'],
  ['python-requests', 'requests', 'extra "python" prefix'],
  ['requests-py', 'requests', 'extra "py" suffix'],
  ['py-requests', 'requests', 'extra "py" prefix'],
  ['pyrequests', 'requests', 'extra "py" prefix'],
  ['requests-python', 'requests', 'extra "python" suffix'],
  ['nmap-python', 'python-nmap', '"python" suffix instead of "python" prefix'],
  ['python3-dateutil', 'python-dateutil', '"python3" prefix instead of "python" prefix'],
  ['typingextensions', 'typing-extensions', 'separator missing'],
  ['r3quests', 'requests', 'one letter changed'],
  ['reque5ts', 'requests', 'one letter changed'],
  ['num-py', 'numpy', 'different separators'],
  // Issue 10 item 7: the more popular, closer target (python-dateutil plus "s"), not dateutils plus "python".
  ['python-dateutils', 'python-dateutil', 'one letter added'],
  // Issue 11 item 1: two plausible slips from a top name; a letter moved.
  ['requestsaa', 'requests', 'two letters added'],
  ['aiohtttps', 'aiohttp', 'two letters added'],
  ['botoceor', 'botocore', 'one letter moved'],
  ['importlibs-resource', 'importlib-resources', 'one letter moved'],
  ['blink-led', null], // blinker: the "-" marks a word the writer meant
  // An added affix only against the top 1,000: `pyX`, `X-python` name the Python binding of a library X.
  ['pyclang', null], // clang, rank ~4,500
  ['pycuda', null], // cuda-python: "py" and "python" are two conventions, not a slip
  ['pyvertica', null], // vertica-python
  // An unlikely slip at the first letter, the letter people mistype least, only against the top 1,000.
  ['hbutils', null], // dbutils, rank ~2,500
  ['gequests', 'requests', 'one letter changed'],
  // A look-alike of a series' old name means its current member when that is 10x higher in rank (beautifulsoup, ~9,800 → beautifulsoup4, ~100).
  ['beautifulsuop', 'beautifulsoup4', 'two letters swapped, from "beautifulsoup", an older name of the series'],
  ['beautiful-soup', 'beautifulsoup4', 'different separators, from "beautifulsoup", an older name of the series'],
  ['typing-extension', 'typing-extensions', 'one letter missing'],
  ['transformer', 'transformers', 'one letter missing'],
  ['requests-2', 'requests', 'version number added'],
  ['requests-2020', null], // a year, as in flake8-2020
  ['requests', null],
  ['Requests', null], // PEP 503: same project
  ['Typing_Extensions', null],
  ['typing.extensions', null],
  ['urllib3', null],
  ['numpy', null],
];

const npm = popularNames('npm');
const pypi = popularNames('pypi');

describe('popular-names lookAlike (npm, bundled data)', () => {
  it.each(npmCases)('%j → %s', (name, target, reason) => {
    expect(npm.lookAlike(name)).toEqual(target === null ? undefined : { target, reason });
  });
});

describe('popular-names lookAlike (PyPI, bundled data)', () => {
  it.each(pypiCases)('%j → %s', (name, target, reason) => {
    expect(pypi.lookAlike(name)).toEqual(target === null ? undefined : { target, reason });
  });
});

describe('popular-names isPopular', () => {
  it.each<[Ecosystem, string, boolean]>([
    ['npm', 'lodash', true],
    ['npm', '@types/node', true],
    ['npm', 'Lodash', false], // npm names are case-sensitive
    ['npm', 'lodahs', false],
    ['pypi', 'Typing_Extensions', true],
    ['pypi', 'typing-extensions', true],
    ['pypi', 'reqeusts', false],
  ])('%s %s → %s', (eco, name, popular) => {
    expect(popularNames(eco).isPopular(name)).toBe(popular);
  });
});

describe('popular-names on a given list', () => {
  it('prefers the most popular target: list order decides', () => {
    expect(buildPopularNameIndex('npm', ['colors', 'colorz']).lookAlike('colorx')?.target).toBe('colors');
    expect(buildPopularNameIndex('npm', ['colorz', 'colors']).lookAlike('colorx')?.target).toBe('colorz');
  });
  it('prefers a separator match over a more popular one-edit match', () => {
    expect(buildPopularNameIndex('npm', ['reactdon', 'react-dom']).lookAlike('reactdom')).toEqual({ target: 'react-dom', reason: 'separator missing' });
  });
  it('ranks a slip that keeps the target\'s separators above one that also moves a separator; spellings of one name go to the most popular', () => {
    // js-shas: js-sha3 with one key wrong, not jssha plus a separator and a plural "s" (it said jssha).
    expect(buildPopularNameIndex('npm', ['js-sha3', 'jssha']).lookAlike('js-shas')?.target).toBe('js-sha3');
    expect(npm.lookAlike('js-shas')?.target).toBe('js-sha3');
    // ...but `coffee-script` and `coffeescript` are one name: the more popular spelling is named, whichever was typed.
    expect(buildPopularNameIndex('npm', ['coffeescript', 'coffee-script']).lookAlike('cofee-script')?.target).toBe('coffeescript');
    expect(buildPopularNameIndex('npm', ['coffee-script', 'coffeescript']).lookAlike('cofeescript')?.target).toBe('coffee-script');
  });
  it('compares PyPI names after PEP 503 normalization', () => {
    const index = buildPopularNameIndex('pypi', ['Foo_Bar']);
    expect(index.isPopular('foo-bar')).toBe(true);
    expect(index.isPopular('FOO.bar')).toBe(true);
    expect(index.lookAlike('foo-bra')).toEqual({ target: 'Foo_Bar', reason: 'two letters swapped' });
  });
  it('prefers, between equally unlikely slips, one that is not at the first letter (the letter people mistype least)', () => {
    expect(buildPopularNameIndex('pypi', ['scrypt', 'crypto']).lookAlike('crypt')).toEqual({ target: 'crypto', reason: 'one letter missing' });
  });
  it('names the current member of a series only when it is far more popular than the old name', () => {
    const names = (gapRanks: number): string[] => ['widgetkit5', ...Array.from({ length: gapRanks }, (_, i) => `filler-package-${i}`), 'widgetkit'];
    expect(buildPopularNameIndex('npm', names(20)).lookAlike('widgetkti')?.target).toBe('widgetkit5');
    expect(buildPopularNameIndex('npm', names(2)).lookAlike('widgetkti')?.target).toBe('widgetkit');
  });
  it('takes a singular or plural that other names use as a word for a look-alike of a top-1,000 name only', () => {
    const names = (before: number): string[] => [...Array.from({ length: before }, (_, i) => `filler-${i}`), 'kernel-tools', 'kernel-utils', 'linux-kernel', 'kernels'];
    expect(buildPopularNameIndex('pypi', names(10)).lookAlike('kernel')).toEqual({ target: 'kernels', reason: 'one letter missing' });
    expect(buildPopularNameIndex('pypi', names(1000)).lookAlike('kernel')).toBeUndefined();
  });
  it('takes names that sound the same for look-alikes on npm only (PyPI prefixes such as aio/py sound alike on purpose)', () => {
    expect(buildPopularNameIndex('npm', ['discord.py']).lookAlike('deezcord.py')).toEqual({ target: 'discord.py', reason: 'sounds the same' });
    expect(buildPopularNameIndex('pypi', ['discord.py']).lookAlike('deezcord.py')).toBeUndefined();
  });
  it('takes a vowel left out between consonants for a likely slip on npm only', () => {
    const names = [...Array.from({ length: 6000 }, (_, i) => `filler-${i}`), 'bimap'];
    expect(buildPopularNameIndex('npm', names).lookAlike('bmap')).toEqual({ target: 'bimap', reason: 'one letter missing' });
    // A vowel at the first letter is no such slip (a last letter left out is found by lookalike/letter-missing-at-end.ts).
    expect(buildPopularNameIndex('npm', [...names, 'imaps']).lookAlike('maps')).toBeUndefined();
    expect(buildPopularNameIndex('pypi', names).lookAlike('bmap')).toBeUndefined();
  });
  it('builds from an empty list without flagging anything', () => {
    expect(buildPopularNameIndex('npm', []).lookAlike('lodash')).toBeUndefined();
  });
});

describe('helpers', () => {
  it.each<[string, string]>([
    ['discord.js', 'diskordjs'],
    ['deezcord.js', 'diskordjs'],
    ['phastify', 'fastifi'],
    ['lodash.head', 'lodashhid'], // a doubled letter across a word boundary is two letters
  ])('soundKey(%j) = %j', (name, key) => {
    expect(soundKey(name)).toBe(key);
  });

  it.each<[string, string]>([
    ['Foo_Bar', 'foo-bar'],
    ['foo.-_bar', 'foo-bar'],
    ['Django', 'django'],
    ['zope.interface', 'zope-interface'],
  ])('normalizePypiName(%j) = %j', (name, normalized) => expect(normalizePypiName(name)).toBe(normalized));

  it.each<[string, string]>([
    ['l0dash', 'lodash'],
    ['1odash', 'lodash'],
    ['rnoment', 'moment'],
    ['vvebpack', 'webpack'],
    ['\u0441\u0440', 'cp'],
  ])('confusableSkeleton(%j) = confusableSkeleton(%j)', (a, b) => expect(confusableSkeleton(a)).toBe(confusableSkeleton(b)));

  it.each<[string, string, string | undefined]>([
    ['lodahs', 'lodash', 'swap'],
    ['lodas', 'lodash', 'missing'],
    ['lodashh', 'lodash', 'added'],
    ['lodesh', 'lodash', 'changed'],
    ['lodash', 'lodash', undefined],
    ['ldoahs', 'lodash', undefined],
    ['abc', 'bca', undefined],
  ])('singleEdit(%j, %j) = %s', (a, b, kind) => expect(singleEdit(a, b)?.kind).toBe(kind));

  it.each<[string, string, string | undefined]>([
    ['rceat', 'react', 'one letter moved'],
    ['requireports', 'requiresport', 'one letter moved'],
    ['uglyfijs', 'uglifyjs', 'two letters swapped'],
    ['lodahs', 'lodash', undefined], // an adjacent swap is rule 6
    ['abcdef', 'fedcba', undefined],
    ['react', 'react', undefined],
  ])('displacement(%j, %j) = %s', (a, b, reason) => expect(displacement(a, b)?.reason).toBe(reason));

  it.each<[string, string, string[] | undefined]>([
    ['faextar', 'fsextra', ['changed', 'swap']], // the swap undone first, then the neighbouring key
    ['chokader', 'chokidar', ['changed', 'changed']],
    ['requestsaa', 'requests', ['added', 'added']],
    ['flagged', 'flatted', ['changed', 'changed']], // g for t twice: neighbouring keys
    ['aiohttpzq', 'aiohttp', undefined], // "z" and "q" are no neighbours of the keys beside them
    ['requests', 'requests', undefined],
    ['lodahs', 'lodash', undefined], // one edit
  ])('twoPlausibleSlips(%j, %j) kinds = %j', (a, b, kinds) => expect(twoPlausibleSlips(a, b)?.map((e) => e.kind)).toEqual(kinds));

  it('parses a TSV with a comment, a header and counts', () => {
    expect(parsePopularNames('# snapshot\nname\tdownloads\nsemver\t12\n\nchalk\t3\n')).toEqual(['semver', 'chalk']);
  });
});

describe('typosquat check', () => {
  const ctx = (eco: Ecosystem): CheckContext => ({
    now: new Date('2026-11-01T00:00:00Z'),
    thresholds: { ...defaultSettings.thresholds, newPackageDays: 7 },
    popular: popularNames(eco),
  });
  const facts = (ecosystem: Ecosystem, name: string, source: SourceKind = 'registry'): PackageFacts => ({ ecosystem, name, requested: name, source });

  it('is an offline check', () => {
    expect(typosquat.id).toBe('typosquat');
    expect(typosquat.needsNetwork).toBe(false);
  });
  it('blocks a look-alike with a did-you-mean', () => {
    expect(typosquat.run(facts('npm', 'lodahs'), ctx('npm'))).toEqual([
      { check: 'typosquat', severity: 'block', message: '"lodahs" looks like the popular package "lodash" (two letters swapped)', didYouMean: 'lodash' },
    ]);
  });
  it('blocks a PyPI look-alike', () => {
    expect(typosquat.run(facts('pypi', 'reqeusts'), ctx('pypi'))[0]).toMatchObject({ severity: 'block', didYouMean: 'requests' });
  });
  it.each(['lodash', 'ws', 'ms', 'safer-buffer', 'safe-buffer'])('never flags the popular name %s', (name) => {
    expect(typosquat.run(facts('npm', name), ctx('npm'))).toEqual([]);
  });
  it('ignores packages that do not come from the registry', () => {
    expect(typosquat.run(facts('npm', 'lodahs', 'git'), ctx('npm'))).toEqual([]);
  });
});
