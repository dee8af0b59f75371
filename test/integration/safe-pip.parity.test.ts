/**
 * The parity table (issue 10): for each argv / requirement-file / environment form, the set pip
 * itself reports with `install --dry-run --report` equals the set safe-pip reports for the same
 * form — or safe-pip's difference is a documented refusal (a withheld build: 67; an editable VCS
 * checkout: 64; a source outside every index without --safe-yes: 66), asserted here with its code.
 * When pip installs nothing (its own error), safe-pip installs nothing either.
 *
 * Where the forms come from: pip's documented requirement-file format and `pip install` options
 * (pip.pypa.io "Requirements File Format", "pip install"), the test names of pip's own
 * tests/unit/test_req_file.py (read from the public pypa/pip repository: TestPreprocess,
 * TestIgnoreComments, TestJoinLines, TestProcessLine, TestOptionVariants, TestParseRequirements —
 * the forms are written here, not copied), pip's hidden inputs (PIP_* variables), and issue 10.
 *
 * Speed: one venv (pip 23.0.1), one index, pip's side in ONE Python process (pip's main called once
 * per form), safe-pip's side in this process (its flow with the real edges), four forms at a time.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafeStore } from '../../src/config/store.js';
import { realPipFlowDeps } from '../../src/cli/pip-install-flow.js';
import { pipInstallFlow } from '../../src/flow/pip-install.js';
import { parsePipArgs } from '../../src/pypi/parse-pip-args.js';
import { buildSdist, buildWheel, PYTHON, unpackSdist } from '../helpers/python-dists.js';
import { makeTempDir } from '../helpers/projects.js';
import { repoRoot, SYSTEM_PATH } from '../helpers/run-bin.js';
import { daysAgo, startSimpleIndex, type IndexProject, type SimpleIndex } from '../helpers/simple-index.js';
import { newVenv } from '../helpers/venvs.js';

const canRun = existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));

/** What safe-pip may do differently, and why (README, "safe-pip"). */
type Expect = 'same' | { refusal: number; why: string };

interface Form {
  /** Where the form comes from. */
  from: string;
  args: string[];
  env?: Record<string, string>;
  /** Appended to safe-pip's arguments only (--safe-yes: accept the warning a source outside every index gets). */
  safeArgs?: string[];
  expect?: Expect;
}

const WITHHELD: Expect = { refusal: 67, why: 'pip would build a source distribution (running its code): safe-pip withholds the build until it is approved' };
const EDITABLE_VCS: Expect = { refusal: 64, why: 'an editable VCS checkout is refused before pip clones it: clone, review, then -e <folder>' };
const DOCS = 'pip docs: pip install';
const REQDOC = 'pip docs: requirements file format';
const T = (name: string) => `pip tests/unit/test_req_file.py: ${name}`;

/** The requirement files, with {URL} {URL2} {FL} {WORK} {H11} {SRC} {GIT} filled in. */
const files: Record<string, string> = {
  'basic.txt': 'pa-alpha\npa-beta==1.0\n',
  'other.txt': 'pa-gamma==1.0\n',
  'join1.txt': 'pa-alpha \\\n# comment \\\npa-gamma\n',
  'join2.txt': 'pa-alpha\\\n# comment\n',
  'join3.txt': 'pa-alpha \\\n# comment\npa-gamma\n',
  'blank.txt': '\n\npa-alpha\n\n   \npa-gamma\n',
  'comment.txt': '# a comment\npa-alpha\n  # indented comment\n',
  'strip.txt': 'pa-alpha # comment\npa-gamma==1.0 # pinned\n',
  'multijoin.txt': 'pa-alpha \\\n  >=1.0,\\\n<1.2\npa-gamma\n',
  'lastescape.txt': 'pa-gamma\npa-alpha \\',
  'bogus.txt': '--bogus\npa-alpha\n',
  'badhash.txt': 'pa-alpha==1.1 --hash=somehash\n',
  'goodhash.txt': 'pa-alpha==1.1 --hash=sha256:{H11}\n',
  'twohashes.txt': 'pa-alpha==1.1 --hash=sha256:{H11} --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000\n',
  'tworeqs.txt': 'pa-alpha pa-gamma\n',
  'badop.txt': 'pa-alpha=1.0\n',
  'spaces.txt': 'pa-alpha >= 1.1\n',
  'pep440url.txt': 'pa-alpha @ {URL_FILES}/pa_alpha-1.1-py3-none-any.whl\n',
  'constraint.txt': 'pa-alpha==1.0\n',
  'constraint-gamma.txt': 'pa-gamma<1.5\n',
  'constraint-r.txt': '-r delta.txt\npa-alpha==1.1\n',
  'delta.txt': 'pa-delta\n',
  'editable-git.txt': '-e {GIT}#egg=pa-git\n',
  'editable-constraint.txt': '-e {GIT}#egg=pa-git\n',
  'nested-c.txt': '-c constraint.txt\npa-alpha\n',
  'global-option.txt': 'pa-alpha --global-option="yo3" --global-option "yo4"\n',
  'no-index.txt': '--no-index\n--find-links {FL}\npa-local\n',
  'index-url.txt': '--index-url={URL2}\npa-alpha\n',
  'find-links.txt': '--find-links={FL}\npa-local\n',
  'extra-index.txt': '--extra-index-url={URL2}\npa-alpha\n',
  'trusted.txt': '--trusted-host=127.0.0.1 --trusted-host=127.0.0.1:8080\npa-alpha\n',
  'pre.txt': '--pre\npa-alpha\n',
  'rel-find-links.txt': '--find-links=fl\n--no-index\npa-local\n',
  'rel-nested.txt': '-r basic.txt\n',
  'abs-nested.txt': '-r {WORK}/reqs/other.txt\npa-alpha\n',
  'url-nested.txt': '-r {REQS_URL}/basic.txt\n',
  'variant1.txt': '-i {URL2}\npa-alpha\n',
  'variant2.txt': "-i '{URL2}'\npa-alpha\n",
  'variant3.txt': '--index-url={URL2}\npa-alpha\n',
  'variant4.txt': '--index-url {URL2}\npa-alpha\n',
  'variant5.txt': "--index-url='{URL2}'\npa-alpha\n",
  'appending.txt': '--extra-index-url {URL2} \n--extra-index-url {URL} \npa-alpha\n',
  'env-vars.txt': '${PA_REQ}\n',
  'env-missing.txt': '{URL_FILES}/${NO_SUCH_VARIABLE}pa_alpha-1.1-py3-none-any.whl\n',
  'join-options.txt': '--extra-index-url {URL2} \\\n--extra-index-url {URL}\npa-alpha\n',
  'format-options.txt': '--no-binary pa-gamma\n--only-binary pa-alpha\npa-alpha\n',
  'only-comment.txt': '# Comment \n',
  'url-comment.txt': '{URL_FILES}/pa_alpha-1.1-py3-none-any.whl # Comment \n',
  'url-egg.txt': '{URL_FILES}/pa_alpha-1.1-py3-none-any.whl#egg=pa-alpha\n',
  'options-line.txt': '--only-binary :all:\npa-mixed\n',
  'no-binary-all.txt': '--no-binary :all:\npa-mixed\n',
  'prefer-binary.txt': '--prefer-binary\npa-mixed\n',
  'marker.txt': 'pa-alpha; python_version < "3"\npa-gamma ; python_version >= "3"\n',
  'extras.txt': 'pa-beta[fast]\n',
  'sdist-path.txt': '{WORK}/dists/pa_src-1.0.tar.gz\n',
  'bom.txt': '\ufeffpa-alpha\npa-gamma\n',
  'cluster.txt': '-rother.txt\n',
  'constraint-in-r.txt': '-c constraint-gamma.txt\npa-beta\n',
  'require-hashes.txt': '--require-hashes\npa-alpha==1.1 --hash=sha256:{H11}\n',
};

const R = (name: string) => `reqs/${name}`;

const forms: Form[] = [
  // Names, specifiers, extras, markers (pip docs: pip install, PEP 508 / PEP 440)
  { from: DOCS, args: ['pa-alpha'] },
  { from: DOCS, args: ['PA-Alpha'] },
  { from: DOCS, args: ['pa-alpha==1.1'] },
  { from: DOCS, args: ['pa-alpha===1.1'] },
  { from: DOCS, args: ['pa-alpha>=1.0,<1.2'] },
  { from: DOCS, args: ['pa-alpha >= 1.1'] },
  { from: DOCS, args: ['--pre', 'pa-alpha'] },
  { from: DOCS, args: ['pa-beta'] },
  { from: DOCS, args: ['pa-beta[fast]'] },
  { from: DOCS, args: ['pa-marker'] },
  { from: DOCS, args: ['pa-alpha; python_version < "3"'] },
  { from: DOCS, args: ['Pa_Zeta'] },
  { from: DOCS, args: ['pa-nothere'] },
  { from: DOCS, args: ['pa-alpha=1.0'] },
  // Install behaviour options
  { from: DOCS, args: ['--no-deps', 'pa-beta'] },
  { from: DOCS, args: ['--isolated', '-i', '{URL}', 'pa-alpha'] },
  { from: DOCS, args: ['--bogus', 'pa-alpha'] },
  { from: DOCS, args: ['--require-hashes', 'pa-alpha'] },
  // Indexes and find-links (issue 10 items 2 and 3)
  { from: DOCS, args: ['-i', '{URL2}', 'pa-alpha'] },
  { from: DOCS, args: ['--ind', '{URL2}', 'pa-alpha'] },
  { from: 'issue 10 (same bytes from two sources)', args: ['--extra-index-url', '{URL2}', 'pa-alpha', 'pa-beta'] },
  { from: 'issue 10 (a source counted once)', args: ['--extra-index-url', '{URL}/', 'pa-alpha'] },
  { from: 'issue 10 (find-links while an index is configured)', args: ['-f', '{FL}', 'pa-local'] },
  { from: DOCS, args: ['--no-index', '-f', '{FL}', 'pa-local'] },
  { from: 'issue 10 (the same file in find-links and on the index)', args: ['-f', '{FL}', 'pa-alpha==1.1'] },
  { from: 'issue 10 (an unreachable primary index)', args: ['--retries', '0', '-i', 'http://127.0.0.1:9/simple', '--extra-index-url', '{URL}', 'pa-alpha'] },
  // Format control (issue 10 item 1)
  { from: DOCS, args: ['--only-binary=:all:', 'pa-mixed'] },
  { from: DOCS, args: ['--prefer-binary', 'pa-mixed'] },
  { from: DOCS, args: ['pa-mixed'], expect: WITHHELD },
  { from: 'issue 10 item 1', args: ['--no-binary', ':all:', 'pa-alpha'] },
  { from: 'issue 10 item 1', args: ['--no-bin', ':all:', 'pa-alpha'] },
  { from: DOCS, args: ['--only-binary', ':all:', 'pa-src'] },
  { from: DOCS, args: ['pa-src'], expect: WITHHELD },
  // Paths, URLs, VCS, editables
  // A wheel named by its path is the user's own file: said, not asked (as npm's `-g ./x.tgz`).
  { from: DOCS, args: ['{WORK}/dists/pa_local-1.0-py3-none-any.whl'] },
  { from: DOCS, args: ['{WORK}/dists/pa_local-1.0-py3-none-any.whl'], safeArgs: ['--safe-yes'] },
  { from: DOCS, args: ['pa-alpha @ {URL_FILES}/pa_alpha-1.1-py3-none-any.whl#sha256={H11}'], safeArgs: ['--safe-yes'] },
  { from: DOCS, args: ['{WORK}/dists/pa_src-1.0.tar.gz'], expect: WITHHELD },
  { from: DOCS, args: ['{SRC}'], expect: WITHHELD },
  { from: DOCS, args: ['-e', '{SRC}'], expect: WITHHELD },
  { from: 'issue 10 item 6', args: ['{GIT}#egg=pa-git'], expect: WITHHELD },
  { from: 'issue 10 item 6', args: ['-e', '{GIT}#egg=pa-git'], expect: EDITABLE_VCS },
  // Constraints and requirement files on the command line
  { from: DOCS, args: ['-c', R('constraint.txt'), 'pa-alpha'] },
  { from: DOCS, args: ['--constraint=reqs/constraint-gamma.txt', 'pa-beta'] },
  { from: 'pip.md: a -r inside a -c file installs its packages', args: ['-c', R('constraint-r.txt'), 'pa-alpha'] },
  { from: DOCS, args: [`-r${R('basic.txt')}`] },
  { from: DOCS, args: ['-r', '{REQS_URL}/basic.txt'] },
  // Hidden inputs: PIP_* variables
  { from: 'pip.md: PIP_REQUIREMENT with no arguments', args: [], env: { PIP_REQUIREMENT: R('basic.txt') } },
  { from: 'pip.md: hidden inputs', args: ['pa-alpha'], env: { PIP_CONSTRAINT: R('constraint.txt') } },
  { from: 'pip.md: hidden inputs', args: ['pa-alpha'], env: { PIP_EXTRA_INDEX_URL: '{URL2}' } },
  { from: 'pip.md: hidden inputs', args: ['pa-local'], env: { PIP_FIND_LINKS: '{FL}' } },
  // Requirement files: pip's own test_req_file.py cases
  { from: T('TestPreprocess.test_comments_and_joins_case1'), args: ['-r', R('join1.txt')] },
  { from: T('TestPreprocess.test_comments_and_joins_case2'), args: ['-r', R('join2.txt')] },
  { from: T('TestPreprocess.test_comments_and_joins_case3'), args: ['-r', R('join3.txt')] },
  { from: T('TestIgnoreComments.test_ignore_line'), args: ['-r', R('blank.txt')] },
  { from: T('TestIgnoreComments.test_ignore_comment'), args: ['-r', R('comment.txt')] },
  { from: T('TestIgnoreComments.test_strip_comment'), args: ['-r', R('strip.txt')] },
  { from: T('TestJoinLines.test_join_lines'), args: ['-r', R('multijoin.txt')] },
  { from: T('TestJoinLines.test_last_line_with_escape'), args: ['-r', R('lastescape.txt')] },
  { from: T('TestProcessLine.test_parser_error'), args: ['-r', R('bogus.txt')] },
  { from: T('TestProcessLine.test_parser_offending_line'), args: ['-r', R('badhash.txt')] },
  { from: T('TestProcessLine.test_parser_non_offending_line'), args: ['-r', R('goodhash.txt')] },
  { from: T('TestProcessLine.test_only_one_req_per_line'), args: ['-r', R('tworeqs.txt')] },
  { from: T('TestProcessLine.test_error_message'), args: ['-r', R('badop.txt')] },
  { from: T('TestProcessLine.test_yield_line_requirement'), args: ['-r', R('basic.txt')] },
  { from: T('TestProcessLine.test_yield_pep440_line_requirement'), args: ['-r', R('pep440url.txt')], safeArgs: ['--safe-yes'] },
  { from: T('TestProcessLine.test_yield_line_constraint'), args: ['-c', R('constraint.txt'), '-r', R('basic.txt')] },
  { from: T('TestProcessLine.test_yield_line_requirement_with_spaces_in_specifier'), args: ['-r', R('spaces.txt')] },
  { from: T('TestProcessLine.test_yield_editable_requirement'), args: ['-r', R('editable-git.txt')], expect: EDITABLE_VCS },
  { from: T('TestProcessLine.test_yield_editable_constraint'), args: ['-c', R('editable-constraint.txt'), 'pa-alpha'] },
  { from: T('TestProcessLine.test_nested_constraints_file'), args: ['-r', R('nested-c.txt')] },
  { from: T('TestProcessLine.test_options_on_a_requirement_line'), args: ['-r', R('global-option.txt')] },
  { from: T('TestProcessLine.test_hash_options'), args: ['-r', R('twohashes.txt')] },
  { from: T('TestProcessLine.test_set_finder_no_index'), args: ['-r', R('no-index.txt')] },
  { from: T('TestProcessLine.test_set_finder_index_url'), args: ['-r', R('index-url.txt')] },
  { from: T('TestProcessLine.test_set_finder_find_links'), args: ['-r', R('find-links.txt')] },
  { from: T('TestProcessLine.test_set_finder_extra_index_urls'), args: ['-r', R('extra-index.txt')] },
  { from: T('TestProcessLine.test_set_finder_trusted_host'), args: ['-r', R('trusted.txt')] },
  { from: T('TestProcessLine.test_set_finder_allow_all_prereleases'), args: ['-r', R('pre.txt')] },
  { from: T('TestProcessLine.test_relative_local_find_links'), args: ['-r', R('rel-find-links.txt')] },
  { from: T('TestProcessLine.test_relative_local_nested_req_files'), args: ['-r', R('rel-nested.txt')] },
  { from: T('TestProcessLine.test_absolute_local_nested_req_files'), args: ['-r', R('abs-nested.txt')] },
  { from: T('TestProcessLine.test_absolute_http_nested_req_file_in_local (a file:// URL here)'), args: ['-r', R('url-nested.txt')] },
  { from: T('TestOptionVariants.test_variant1'), args: ['-r', R('variant1.txt')] },
  { from: T('TestOptionVariants.test_variant2'), args: ['-r', R('variant2.txt')] },
  { from: T('TestOptionVariants.test_variant3'), args: ['-r', R('variant3.txt')] },
  { from: T('TestOptionVariants.test_variant4'), args: ['-r', R('variant4.txt')] },
  { from: T('TestOptionVariants.test_variant5'), args: ['-r', R('variant5.txt')] },
  { from: T('TestParseRequirements.test_multiple_appending_options'), args: ['-r', R('appending.txt')] },
  { from: T('TestParseRequirements.test_expand_existing_env_variables'), args: ['-r', R('env-vars.txt')], env: { PA_REQ: 'pa-alpha==1.1' } },
  { from: T('TestParseRequirements.test_expand_missing_env_variables'), args: ['-r', R('env-missing.txt')], safeArgs: ['--safe-yes'] },
  { from: T('TestParseRequirements.test_join_lines'), args: ['-r', R('join-options.txt')] },
  { from: T('TestParseRequirements.test_req_file_parse_no_only_binary'), args: ['-r', R('format-options.txt')] },
  { from: T('TestParseRequirements.test_req_file_parse_comment_start_of_line'), args: ['-r', R('only-comment.txt')] },
  { from: T('TestParseRequirements.test_req_file_parse_comment_end_of_line_with_url'), args: ['-r', R('url-comment.txt')], safeArgs: ['--safe-yes'] },
  { from: T('TestParseRequirements.test_req_file_parse_egginfo_end_of_line_with_url'), args: ['-r', R('url-egg.txt')], safeArgs: ['--safe-yes'] },
  { from: T('TestParseRequirements.test_install_requirements_with_options (format options in a file)'), args: ['-r', R('options-line.txt')] },
  // Requirement files: more of the documented format
  { from: 'pip.md: --no-binary :all: in a file undoes the command line\'s --only-binary', args: ['--only-binary=:all:', '-r', R('no-binary-all.txt')], expect: WITHHELD },
  { from: REQDOC, args: ['-r', R('prefer-binary.txt')] },
  { from: REQDOC, args: ['-r', R('marker.txt')] },
  { from: REQDOC, args: ['-r', R('extras.txt')] },
  { from: REQDOC, args: ['-r', R('sdist-path.txt')], expect: WITHHELD },
  { from: REQDOC, args: ['-r', R('bom.txt')] },
  { from: REQDOC, args: ['-r', R('cluster.txt')] },
  { from: REQDOC, args: ['-r', R('constraint-in-r.txt')] },
  { from: REQDOC, args: ['-r', R('require-hashes.txt')] },
];

interface Outcome {
  code: number;
  /** name==version, sorted (undefined when nothing was reported). */
  set?: string[];
}

let work: string;
let venv: string;
let index: SimpleIndex;
let copy: SimpleIndex;
const vars: Record<string, string> = {};
const fill = (s: string) => s.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
const pipSide: Outcome[] = [];
const safeSide: Outcome[] = [];

function setOf(reportPath: string): string[] | undefined {
  if (!existsSync(reportPath)) return undefined;
  const doc = JSON.parse(readFileSync(reportPath, 'utf8')) as { install: Array<{ metadata: { name: string; version: string } }> };
  return doc.install.map((i) => `${i.metadata.name.toLowerCase().replace(/[-_.]+/g, '-')}==${i.metadata.version}`).sort();
}

/** pip's own answer for every form, from one Python process calling pip's main once per form. */
const PIP_BATCH = String.raw`
import json, os, sys
forms = json.load(open(sys.argv[1]))
base = dict(os.environ)
from pip._internal.cli.main import main
results = []
for f in forms:
    os.environ.clear()
    os.environ.update(base)
    os.environ.update(f["env"])
    os.chdir(f["cwd"])
    try:
        code = main(["install", "--dry-run", "--quiet", "--report", f["report"]] + f["args"])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException as e:
        code = 99
    results.append(code)
json.dump(results, open(sys.argv[2], "w"))
`;

async function runSafePipForm(form: Form, i: number, store: SafeStore): Promise<Outcome> {
  const report = join(work, 'reports', `safe-${i}.json`);
  const argv = ['install', '--dry-run', '--report', report, ...form.args.map(fill), ...(form.safeArgs ?? [])];
  const env = { ...baseEnv(), ...Object.fromEntries(Object.entries(form.env ?? {}).map(([k, v]) => [k, fill(v)])) };
  const deps = {
    ...realPipFlowDeps({ env, cwd: work, stdinIsTTY: false, stdoutIsTTY: false, realPip: join(venv, 'bin', 'pip') }),
    stdout: () => {},
    stderr: () => {},
    openStore: async () => store,
  };
  try {
    const code = await pipInstallFlow(parsePipArgs(argv, { env }), argv, deps);
    return { code, set: code === 0 ? setOf(report) : undefined };
  } catch (error) {
    return { code: (error as { exitCode?: number }).exitCode ?? 70 };
  }
}

function baseEnv(): Record<string, string> {
  return {
    PATH: `${join(venv, 'bin')}:${SYSTEM_PATH}`, HOME: join(work, 'home'), LANG: 'C.UTF-8',
    PIP_CONFIG_FILE: '/dev/null', PIP_INDEX_URL: index.url, PIP_DISABLE_PIP_VERSION_CHECK: '1',
    SAFE_PIP_CACHE_ROOT: join(work, 'cache'),
  };
}

async function pool<T>(n: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  }));
  return out;
}

describe.skipIf(!canRun)('the parity table: pip\'s --dry-run --report set = safe-pip\'s, or a documented refusal', () => {
  beforeAll(async () => {
    work = await makeTempDir('safe-pip-parity-');
    const dists = join(work, 'dists');
    for (const d of ['dists', 'reqs', 'reqs/fl', 'fl', 'reports', 'cache', 'home', 'markers', 'src']) mkdirSync(join(work, d), { recursive: true });
    chmodSync(join(work, 'markers'), 0o777);
    chmodSync(join(work, 'reports'), 0o777);
    const marker = join(work, 'markers', 'built');
    const wheels = (name: string, versions: string[], extra: (v: string) => Partial<Parameters<typeof buildWheel>[1]> = () => ({})): IndexProject => ({
      name, projectUrls: { Source: `https://example.invalid/${name}` },
      files: versions.map((version, i) => ({ dist: buildWheel(dists, { name, version, ...extra(version) }), uploaded: daysAgo(600 - 40 * i) })),
    });
    const alpha = wheels('pa-alpha', ['1.0', '1.1', '1.2', '2.0b1']);
    const mixed = wheels('pa-mixed', ['0.9', '1.0']);
    mixed.files.push(...['1.0', '1.1'].map((version) => ({ dist: buildSdist(dists, { name: 'pa-mixed', version, marker }), uploaded: daysAgo(300) })));
    const projects: IndexProject[] = [
      alpha,
      wheels('pa-beta', ['0.5', '1.0', '2.0'], (v) => (v === '2.0' ? { requires: ['pa-gamma>=1.0', 'pa-delta; extra == "fast"'] } : {})),
      wheels('pa-gamma', ['0.9', '1.0', '1.5']),
      wheels('pa-delta', ['0.1', '0.2']),
      wheels('pa-marker', ['0.9', '1.0'], () => ({ requires: ['pa-gamma; python_version < "3"', 'pa-delta; sys_platform == "linux"'] })),
      wheels('Pa_Zeta', ['0.9', '1.0']),
      mixed,
      { name: 'pa-src', projectUrls: { Source: 'https://example.invalid/pa-src' }, files: ['0.9', '1.0'].map((version, i) => ({ dist: buildSdist(dists, { name: 'pa-src', version, marker }), uploaded: daysAgo(500 - 40 * i) })) },
    ];
    index = await startSimpleIndex(projects);
    copy = await startSimpleIndex(projects.map((p) => ({ ...p, files: [...p.files] })));
    // find-links: a private wheel, and a byte-identical copy of pa-alpha 1.1.
    for (const fl of [join(work, 'fl'), join(work, 'reqs', 'fl')]) {
      buildWheel(fl, { name: 'pa-local', version: '1.0' });
      buildWheel(fl, { name: 'pa-alpha', version: '1.1' });
    }
    buildWheel(dists, { name: 'pa-local', version: '1.0' });
    const src = unpackSdist(buildSdist(join(work, 'src'), { name: 'pa-srcdir', version: '0.1', marker }), join(work, 'src'));
    const git = unpackSdist(buildSdist(join(work, 'src'), { name: 'pa-git', version: '0.1', marker }), await makeTempDir('safe-pip-parity-git-'));
    for (const args of [['init', '-q'], ['add', '.'], ['commit', '-qm', 'pa-git']]) execFileSync('git', ['-c', 'user.email=t@x', '-c', 'user.name=t', ...args], { cwd: git });
    execFileSync('chown', ['-R', '65534:65534', git]);
    Object.assign(vars, {
      URL: index.url, URL2: copy.url, URL_FILES: `${index.base}/files`, FL: join(work, 'fl'), WORK: work, SRC: src,
      GIT: `git+${pathToFileURL(git).href}`, REQS_URL: pathToFileURL(join(work, 'reqs')).href,
      H11: alpha.files[1]!.dist.sha256,
    });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(work, 'reqs', name), fill(text));
    execFileSync('chmod', ['-R', 'a+rX', work]);
    venv = await newVenv();

    // Both sides at once: pip's in one Python process, safe-pip's four forms at a time.
    const batch = forms.map((f, i) => ({
      args: f.args.map(fill), cwd: work, report: join(work, 'reports', `pip-${i}.json`),
      env: Object.fromEntries(Object.entries(f.env ?? {}).map(([k, v]) => [k, fill(v)])),
    }));
    writeFileSync(join(work, 'batch.json'), JSON.stringify(batch));
    writeFileSync(join(work, 'batch.py'), PIP_BATCH);
    const { execa } = await import('execa');
    // As the venv's owner, like safe-pip's own pip runs (a git checkout owned by root would be "dubious" to git).
    mkdirSync(join(work, 'pip-cache'));
    execFileSync('chown', ['65534:65534', join(work, 'pip-cache')]);
    const pipRun = execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', join(venv, 'bin', 'python'), join(work, 'batch.py'), join(work, 'batch.json'), join(work, 'reports', 'pip-results.json')], {
      env: { ...baseEnv(), PIP_CACHE_DIR: join(work, 'pip-cache') }, extendEnv: false, reject: false, stdin: 'ignore',
    });
    const store = await SafeStore.open({ cwd: join(work, 'store') });
    const safe = await pool(4, forms.map((f, i) => () => runSafePipForm(f, i, store)));
    const pipDone = await pipRun;
    expect(pipDone.exitCode, pipDone.stderr.slice(-2000)).toBe(0);
    const codes = JSON.parse(readFileSync(join(work, 'reports', 'pip-results.json'), 'utf8')) as number[];
    codes.forEach((code, i) => pipSide.push({ code, set: code === 0 ? setOf(join(work, 'reports', `pip-${i}.json`)) : undefined }));
    safeSide.push(...safe);
  }, 600_000);

  afterAll(async () => {
    await index?.close();
    await copy?.close();
  });

  it.each(forms.map((f, i) => [i, f.args.join(' ') || '(no arguments)', f.env ? JSON.stringify(f.env) : '', f] as const))('%i: %s %s', (i, _args, _env, form) => {
    const pip = pipSide[i]!;
    const safe = safeSide[i]!;
    const expectation = form.expect ?? 'same';
    if (expectation === 'same') {
      if (pip.code === 0) {
        expect(safe.code, `pip: ${pip.set?.join(' ')}`).toBe(0);
        expect(safe.set).toEqual(pip.set);
      } else {
        // pip installs nothing (its own error): neither does safe-pip.
        expect(safe.code).not.toBe(0);
      }
    } else {
      expect(pip.code, 'pip itself goes on here').toBe(0);
      expect(safe.code, expectation.why).toBe(expectation.refusal);
    }
  });

  it('counts: at least 100 forms, every one agreeing or a documented refusal', () => {
    const refusals = forms.filter((f) => f.expect && f.expect !== 'same').length;
    const fromPipTests = forms.filter((f) => f.from.startsWith('pip tests/')).length;
    const bothInstall = forms.filter((_, i) => pipSide[i]!.code === 0 && safeSide[i]!.code === 0).length;
    console.log(`parity table: ${forms.length} forms (${fromPipTests} from pip's test_req_file.py); ${forms.length - refusals} agree (${bothInstall} install the same set, ${forms.length - refusals - bothInstall} where pip itself installs nothing); ${refusals} documented refusals`);
    expect(forms.length).toBeGreaterThanOrEqual(100);
    expect(fromPipTests).toBeGreaterThanOrEqual(40);
  });
});
