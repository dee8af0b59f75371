/**
 * Hostile input, one row per line (issue 14): what an attacker controls — names and specs on the
 * command line, registry and index metadata (descriptions, deprecation and yank texts, error
 * bodies), install-script text, file names inside tarballs, requirement files — tried on safe-npm
 * and safe-pip as root.
 *
 * Every row states its exit code, and every row is checked for the same four things:
 * - nothing was executed: no marker file appeared (every payload would `touch` one);
 * - no stack trace (Node's "    at …" or Python's "Traceback") reached the user;
 * - no raw control, escape or bidi character reached the terminal (our own output is plain without a TTY);
 * - the project (npm: package.json, lockfile, node_modules) / the venv (pip freeze) is byte-for-byte
 *   what it was — except the rows marked `installs`, where exactly that package was added and its
 *   install script did not run.
 *
 * Rows with a `batch` share one process (`safe check` of many specs at once): the exit code is the
 * batch's, and each row checks that its own text came out neutralized.
 */
import { execa } from 'execa';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHostileCharacters, neutralize } from '../../src/ui/neutralize.js';
import { startFaultRegistry, type FaultPackage, type FaultRegistry } from '../helpers/fault-registry.js';
import { runSafePip } from '../helpers/pip-runs.js';
import { makeProject, makeTempDir, snapshotProject } from '../helpers/projects.js';
import { buildWheel, PYTHON } from '../helpers/python-dists.js';
import { makeSandbox, runBin, SYSTEM_PATH, type RunResult, type Sandbox } from '../helpers/run-bin.js';
import { daysAgo, startSimpleIndex, type IndexProject, type SimpleIndex } from '../helpers/simple-index.js';
import { newVenv } from '../helpers/venvs.js';

const ESC = '\x1b';
const M = '/tmp/safe-hostile-markers'; // payloads write here; replaced by the real folder below
let markers = M;
/** A marker path for payloads (resolved when the row runs). */
const m = (id: string) => `${M}/${id}`;
const big = (n: number) => 'a'.repeat(n);

type Changes = 'none' | 'installs' | 'prefix';
interface Row {
  id: string;
  tool: 'npm' | 'pip';
  /** What is hostile about it. */
  what: string;
  args: string[];
  exit: number;
  /** Rows with the same batch run as one process (their args are appended to the batch's command). */
  batch?: string;
  /** Text that must be in the output (already neutralized): where the hostile part is shown. */
  shows?: string;
  changes?: Changes;
  /** A batch row with nothing to report (counted ok, not listed). */
  quiet?: boolean;
}

// -g --prefix target: a folder of its own, where only root can change the way to it (the markers'
// folder is open to all: root refuses to write a prefix there, as another user could swap it).
const PREFIX_HOLDER = '/tmp/safe-hostile-prefix';
let prefixHolder = PREFIX_HOLDER;
const P = `${PREFIX_HOLDER}/prefix`;
const tenThousand = Array.from({ length: 9_999 }, (_, i) => `pkg-${i}`);

// prettier-ignore
const rows: Row[] = [
  // ---- npm: names and specs on the command line, all checked by one `safe check --offline` ----------------------------
  { id: 'n01', tool: 'npm', batch: 'npm-offline', what: 'ANSI colour in a name', args: [`a${ESC}[31mred`], exit: 65 },
  { id: 'n02', tool: 'npm', batch: 'npm-offline', what: 'OSC 0 window title', args: [`x${ESC}]0;pwned\x07`], exit: 65 },
  { id: 'n03', tool: 'npm', batch: 'npm-offline', what: 'OSC 8 hyperlink around a name', args: [`${ESC}]8;;http://evil/${ESC}\\lodash${ESC}]8;;${ESC}\\`], exit: 65 },
  { id: 'n04', tool: 'npm', batch: 'npm-offline', what: 'bidi override (RLO)', args: ['lodash\u202ejs.exe'], exit: 65 },
  { id: 'n05', tool: 'npm', batch: 'npm-offline', what: 'bidi isolate (LRI … PDI)', args: ['\u2066lodash\u2069'], exit: 65 },
  { id: 'n06', tool: 'npm', batch: 'npm-offline', what: 'carriage return overwriting the line', args: ['evil\rlodash'], exit: 65 },
  { id: 'n07', tool: 'npm', batch: 'npm-offline', what: 'backspaces', args: ['evil\b\b\b\blodash'], exit: 65 },
  { id: 'n08', tool: 'npm', batch: 'npm-offline', what: '8-bit CSI (C1)', args: ['a\u009b2Jb'], exit: 65 },
  { id: 'n09', tool: 'npm', batch: 'npm-offline', what: 'zero-width joiner in a popular name', args: ['lod\u200dash'], exit: 65 },
  { id: 'n10', tool: 'npm', batch: 'npm-offline', what: 'Cyrillic confusable (о for o)', args: ['lоdash'], exit: 65 },
  { id: 'n11', tool: 'npm', batch: 'npm-offline', what: 'fullwidth confusable', args: ['ｌｏｄａｓｈ'], exit: 65 },
  { id: 'n12', tool: 'npm', batch: 'npm-offline', what: '5,000-character name', args: [big(5000)], exit: 65, shows: 'at most 214 characters' },
  { id: 'n13', tool: 'npm', batch: 'npm-offline', what: 'shell $( ) in a spec', args: [`$(touch ${m('n13')})`], exit: 65 },
  { id: 'n14', tool: 'npm', batch: 'npm-offline', what: 'shell backticks', args: [`\`touch ${m('n14')}\``], exit: 65 },
  { id: 'n15', tool: 'npm', batch: 'npm-offline', what: 'shell ; and |', args: [`x;touch ${m('n15')}|sh`], exit: 65 },
  { id: 'n16', tool: 'npm', batch: 'npm-offline', what: 'shell && and >', args: [`x&&touch ${m('n16')}>/dev/null`], exit: 65 },
  { id: 'n17', tool: 'npm', batch: 'npm-offline', what: '../ path spec', args: ['../../../../etc/passwd'], exit: 65 },
  { id: 'n18', tool: 'npm', batch: 'npm-offline', what: 'absolute path spec', args: ['/etc/shadow'], exit: 65 },
  { id: 'n19', tool: 'npm', batch: 'npm-offline', what: 'malformed: a lone @', args: ['@'], exit: 65 },
  { id: 'n20', tool: 'npm', batch: 'npm-offline', what: 'malformed: @scope without name', args: ['@evil/'], exit: 65 },
  { id: 'n21', tool: 'npm', batch: 'npm-offline', what: 'malformed: version garbage', args: ['lodash@>=<1..2'], exit: 65 },
  // ---- npm: registry metadata, all checked by one `safe check` against the hostile registry --------------------------
  { id: 'r01', tool: 'npm', batch: 'npm-online', what: 'deprecated text that clears the screen', args: ['h-dep-clear'], exit: 68, shows: 'is deprecated: use \\x1b[2J\\x1b[Hsomething' },
  { id: 'r02', tool: 'npm', batch: 'npm-online', what: 'deprecated text with an OSC 8 link', args: ['h-dep-link'], exit: 68, shows: 'see \\x1b]8;;http://evil/\\x1b\\here\\x1b]8;;\\x1b\\' },
  { id: 'r03', tool: 'npm', batch: 'npm-online', what: 'deprecated text with bidi override', args: ['h-dep-bidi'], exit: 68, shows: 'safe\\u202e' },
  { id: 'r04', tool: 'npm', batch: 'npm-online', what: 'deprecated text with NUL and BEL', args: ['h-dep-nul'], exit: 68, shows: 'a\\x00b\\x07' },
  { id: 'r05', tool: 'npm', batch: 'npm-online', what: 'description with escapes (never shown raw)', args: ['h-desc'], exit: 68 },
  { id: 'r06', tool: 'npm', batch: 'npm-online', what: 'install script that would run a payload, with escapes', args: ['h-script'], exit: 68, shows: `postinstall: touch ${M}/r06 \\x1b[8mhidden` },
  { id: 'r07', tool: 'npm', batch: 'npm-online', what: 'install script with Trojan-Source bidi', args: ['h-script-bidi'], exit: 68, shows: '\\u202e' },
  { id: 'r08', tool: 'npm', batch: 'npm-online', what: 'registry error body with escapes', args: ['h-error-body'], exit: 68, shows: 'could not verify "h-error-body": 500 Internal Server Error' },
  // ---- npm: one process each -------------------------------------------------------------------------------------
  { id: 'i01', tool: 'npm', what: "escape in an invalid spec (npm-package-arg's own message)", args: ['install', `a${ESC}[31mred`], exit: 64, shows: 'Invalid tag name "a\\x1b[31mred"' },
  { id: 'i02', tool: 'npm', what: 'bidi in an invalid spec', args: ['install', 'a\u202egood'], exit: 64, shows: 'a\\u202egood' },
  { id: 'i03', tool: 'npm', what: 'empty spec', args: ['install', ''], exit: 64, shows: 'empty package spec' },
  { id: 'i04', tool: 'npm', what: 'whitespace-only spec', args: ['install', ' \t '], exit: 64, shows: 'empty package spec' },
  { id: 'i05', tool: 'npm', what: '5,000-character name', args: ['install', big(5000)], exit: 64, shows: 'at most 214 characters' },
  { id: 'i06', tool: 'npm', what: '10,000 specs, the last one hostile', args: ['install', ...tenThousand, `z${ESC}]0;x\x07`], exit: 64, shows: 'z\\x1b]0;x\\x07' },
  { id: 'i07', tool: 'npm', what: 'leading dash with a shell payload (npm reads shorthand flags)', args: ['install', `-$(touch ${m('i07')})`], exit: 0 },
  { id: 'i08', tool: 'npm', what: 'a spec after -- that starts with dashes (npm reads it as a folder path; none exists, as npm would refuse too)', args: ['install', '--', `--$(touch ${m('i08')})`], exit: 64, shows: 'no such folder' },
  { id: 'i09', tool: 'npm', what: 'shell payload as a registry URL', args: ['install', 'h-plain', `--registry=http://127.0.0.1:9/$(touch ${m('i09')})`], exit: 68 },
  { id: 'i10', tool: 'npm', what: 'unknown own flag with an escape', args: ['install', `--safe-${ESC}[2J`], exit: 64, shows: '--safe-\\x1b[2J' },
  { id: 'i11', tool: 'npm', what: 'own flag with a hostile value', args: ['install', 'h-plain', `--safe-yes=${ESC}[2J`], exit: 64, shows: "got '\\x1b[2J'" },
  { id: 'i12', tool: 'npm', what: 'deprecation text in a stop line (no TTY)', args: ['install', 'h-dep-clear'], exit: 66, shows: 'is deprecated: use \\x1b[2J\\x1b[Hsomething' },
  { id: 'i13', tool: 'npm', what: 'a dependency whose name is an escape sequence', args: ['install', 'h-dep-name'], exit: 1, shows: '\\x1b[2J' },
  { id: 'i14', tool: 'npm', what: 'file names with escapes, ../ and / inside the tarball; script withheld', args: ['install', 'h-files'], exit: 0, shows: 'h-files@1.2.0 [postinstall: touch', changes: 'installs' },
  { id: 'i15', tool: 'npm', what: '-g --prefix DIR of a package with a payload script (issue 8: no EACCES)', args: ['install', '-g', '--prefix', P, 'h-global'], exit: 0, shows: 'was installed globally without running its install scripts', changes: 'prefix' },
  { id: 'i16', tool: 'npm', what: '--ignore-scripts=false cannot turn scripts on', args: ['install', 'h-files', '--ignore-scripts=false', '--foreground-scripts'], exit: 0, changes: 'installs' },
  { id: 'i17', tool: 'npm', what: 'npm\'s deprecation line for a package it writes (an install with --no-save, vetted as a whole tree), said as npm says it, neutralized (npm itself shows ESC as ^[, not bidi)', args: ['install', 'h-dep-bidi', '--no-save', '--safe-yes'], exit: 0, shows: 'npm warn deprecated h-dep-bidi@1.2.0: safe\\u202e', changes: 'installs' },
  // ---- pip: requirement strings, all checked by one `safe check --offline` ------------------------------------------
  { id: 'p01', tool: 'pip', batch: 'pip-offline', what: 'ANSI colour in a requirement', args: [`a${ESC}[31mred`], exit: 65 },
  { id: 'p02', tool: 'pip', batch: 'pip-offline', what: 'bidi override', args: ['requests\u202e'], exit: 65 },
  { id: 'p03', tool: 'pip', batch: 'pip-offline', what: 'OSC title', args: [`x${ESC}]2;pwned\x07`], exit: 65 },
  { id: 'p04', tool: 'pip', batch: 'pip-offline', what: 'carriage return', args: ['evil\rrequests'], exit: 65 },
  { id: 'p05', tool: 'pip', batch: 'pip-offline', what: 'shell $( )', args: [`$(touch ${m('p05')})`], exit: 65 },
  { id: 'p06', tool: 'pip', batch: 'pip-offline', what: 'shell ; in a marker', args: [`x; touch ${m('p06')}`], exit: 65 },
  { id: 'p07', tool: 'pip', batch: 'pip-offline', what: 'shell in extras', args: [`requests[$(touch ${m('p07')})]`], exit: 65 },
  { id: 'p08', tool: 'pip', batch: 'pip-offline', what: 'Cyrillic confusable', args: ['rеquests'], exit: 65 },
  { id: 'p09', tool: 'pip', batch: 'pip-offline', what: '5,000-character name (valid PEP 508: counted ok, not listed)', args: [big(5000)], exit: 65, quiet: true },
  { id: 'p10', tool: 'pip', batch: 'pip-offline', what: 'direct reference to a local secret', args: ['x @ file:///etc/shadow'], exit: 65 },
  { id: 'p11', tool: 'pip', batch: 'pip-offline', what: 'malformed: operator without a name', args: ['==1.0'], exit: 65 },
  { id: 'p12', tool: 'pip', batch: 'pip-offline', what: 'zero-width joiner', args: ['req\u200duests'], exit: 65 },
  // ---- pip: index metadata, one `safe check` against the local index -----------------------------------------------
  { id: 'p13', tool: 'pip', batch: 'pip-online', what: 'yank reason that clears the screen', args: ['yanky==1.0'], exit: 0, shows: 'was yanked: gone \\x1b[2J\\x1b[H' },
  { id: 'p14', tool: 'pip', batch: 'pip-online', what: 'summary with escapes (never shown raw)', args: ['summary-esc'], exit: 0 },
  // ---- pip: one process each -------------------------------------------------------------------------------------
  { id: 'p15', tool: 'pip', what: 'escape in an invalid requirement (pip quotes it)', args: ['install', `a${ESC}[31mred`], exit: 1, shows: 'Invalid requirement' },
  { id: 'p16', tool: 'pip', what: "shell payload in a marker (pip 23's own traceback)", args: ['install', `x; touch ${m('p16')}`], exit: 2, shows: 'InvalidMarker' },
  { id: 'p17', tool: 'pip', what: 'empty requirement', args: ['install', ''], exit: 1, shows: "Invalid requirement: ''" },
  { id: 'p18', tool: 'pip', what: 'nothing after --', args: ['install', '--'], exit: 1, shows: 'You must give at least one requirement' },
  { id: 'p19', tool: 'pip', what: 'requirement files that include each other (-r loop)', args: ['install', '-r', `${M}/loop-a.txt`], exit: 2, shows: 'RecursionError' },
  { id: 'p20', tool: 'pip', what: 'a 100 MB requirement file', args: ['install', '-r', `${M}/huge.txt`], exit: 64, shows: 'over the 10485760-byte limit' },
  { id: 'p21', tool: 'pip', what: 'a requirement file that is a device', args: ['install', '-r', '/dev/zero'], exit: 64, shows: 'is not a regular file' },
  { id: 'p22', tool: 'pip', what: 'requirement file lines with ESC, bidi and NUL', args: ['install', '-r', `${M}/hostile.txt`], exit: 2, shows: "InvalidMarker: Invalid marker: 't\\x07'" },
  { id: 'p23', tool: 'pip', what: 'editable ../ path out of the tree (a build: withheld)', args: ['install', '-e', '../../../../../etc'], exit: 67, shows: 'file:///etc needs a build' },
  { id: 'p24', tool: 'pip', what: 'absolute path to a system file', args: ['install', '/etc/passwd'], exit: 1 },
  { id: 'p25', tool: 'pip', what: 'unknown own flag with an escape', args: ['install', `--safe-${ESC}]0;x\x07`, 'x'], exit: 64, shows: '--safe-\\x1b]0;x\\x07' },
  { id: 'p26', tool: 'pip', what: '10,000 requirements, the last one hostile', args: ['install', ...tenThousand, `z${ESC}[2J`], exit: 1, shows: 'Invalid requirement' },
  { id: 'p27', tool: 'pip', what: 'shell payload in an index URL', args: ['install', 'plainpkg', '--index-url', `http://127.0.0.1:9/$(touch ${m('p27')})/simple`], exit: 68 },
  { id: 'p28', tool: 'pip', what: 'yank reason in a stop line (no TTY)', args: ['install', 'yanky==1.0'], exit: 66, shows: 'was yanked: gone \\x1b[2J\\x1b[H' },
  { id: 'p29', tool: 'pip', what: 'leading-dash requirement (an unknown pip option)', args: ['install', `-$(touch ${m('p29')})`], exit: 64, shows: 'no such option: -$' },
];

// ---------------------------------------------------------------------------------------------

const ESCAPES_CLEAR = `use ${ESC}[2J${ESC}[Hsomething else`;
const hostilePackages: FaultPackage[] = [
  { name: 'h-plain', fault: 'ok' },
  { name: 'h-dep-clear', fault: 'ok', packageJson: { deprecated: ESCAPES_CLEAR } },
  { name: 'h-dep-link', fault: 'ok', packageJson: { deprecated: `see ${ESC}]8;;http://evil/${ESC}\\here${ESC}]8;;${ESC}\\` } },
  { name: 'h-dep-bidi', fault: 'ok', packageJson: { deprecated: 'safe\u202e lanigiro eht esu' } },
  { name: 'h-dep-nul', fault: 'ok', packageJson: { deprecated: 'a\u0000b\u0007' } },
  { name: 'h-desc', fault: 'ok', packageJson: { description: `${ESC}[2J${ESC}]0;owned\x07 fine` } },
  { name: 'h-script', fault: 'ok', packageJson: { scripts: { postinstall: `touch ${m('r06')} ${ESC}[8mhidden${ESC}[0m` } } },
  { name: 'h-script-bidi', fault: 'ok', packageJson: { scripts: { postinstall: `node -e "/* \u202e } \u2066if (admin) {\u2069 \u2066 */ require('fs').writeFileSync('${m('r07')}','x')"` } } },
  { name: 'h-error-body', fault: 'http-500', errorBody: `{"error":"${'\\u001b'}[2J${'\\u001b'}]0;pwned${'\\u0007'}"}` },
  { name: 'h-dep-name', fault: 'ok', packageJson: { dependencies: { [`evil${ESC}[2J`]: '1.0.0' } } },
  {
    name: 'h-files', fault: 'ok',
    packageJson: { scripts: { postinstall: `touch ${m('i14')}; node "evil${ESC}]0;t\x07.js"` } },
    files: { [`package/evil${ESC}]0;t\x07.js`]: 'module.exports = 1;\n', 'package/../../escaped-dotdot.txt': 'out\n', '/tmp/escaped-absolute.txt': 'out\n', 'package/\u202etxt.exe': 'x\n' },
  },
  { name: 'h-global', fault: 'ok', packageJson: { bin: { 'h-global': 'index.js' }, scripts: { postinstall: `touch ${m('i15')} ${ESC}[2J` } } },
];

const show = (r: RunResult) => `exit ${r.exitCode}\nstderr: ${r.stderr.slice(0, 3000)}\nstdout: ${r.stdout.slice(0, 3000)}`;
const stackTrace = (text: string) => /^\s+at .+[:(].*\d+:\d+\)?$/m.test(text) || /Traceback \(most recent call last\)/.test(text);
/** Lines with a raw control, escape or bidi character (our output is plain without a TTY). */
const rawHostileLines = (text: string) => text.split('\n').filter((l) => hasHostileCharacters(l));

let registry: FaultRegistry;
let npmSandbox: Sandbox;
let cacheRoot: string;
let index: SimpleIndex | undefined;
let pipSandbox: Sandbox | undefined;
let venv: string | undefined;
let frozen = '';
let work: string;
const canRunPip = existsSync(PYTHON) && process.getuid?.() === 0;

const resolveMarkers = (args: string[]) => args.map((a) => a.split(M).join(markers).split(PREFIX_HOLDER).join(prefixHolder));
const freeze = async () => (await execa(join(venv!, 'bin', 'python'), ['-m', 'pip', 'freeze', '--all'], { env: { PATH: SYSTEM_PATH, PIP_CONFIG_FILE: '/dev/null' } })).stdout;

beforeAll(async () => {
  markers = await makeTempDir('safe-hostile-markers-', 0o777);
  prefixHolder = await makeTempDir('safe-hostile-prefix-');
  chmodSync(markers, 0o1777);
  work = await makeTempDir('safe-hostile-work-');
  mkdirSync(join(work, 'cache'));
  cacheRoot = await makeTempDir('safe-npm-cacheroot-');
  const packages = hostilePackages.map((p) => JSON.parse(JSON.stringify(p).split(M).join(markers)) as FaultPackage);
  registry = await startFaultRegistry({ packages });
  npmSandbox = await makeSandbox({ registry: registry.url, npmrcLines: ['fetch-retries=0'] });

  // Requirement files: a loop, 100 MB of lines, and hostile lines.
  writeFileSync(join(markers, 'loop-a.txt'), `-r ${join(markers, 'loop-b.txt')}\n`);
  writeFileSync(join(markers, 'loop-b.txt'), `-r ${join(markers, 'loop-a.txt')}\n`);
  writeFileSync(join(markers, 'hostile.txt'), `plainpkg\nx${ESC}[2J${ESC}]0;t\x07\ny\u202e\nz\u0000\n`);
  const fd = openSync(join(markers, 'huge.txt'), 'w');
  const chunk = Buffer.from('plainpkg\n'.repeat(100_000));
  for (let written = 0; written < 100 * 1024 * 1024; written += chunk.length) writeSync(fd, chunk);
  closeSync(fd);
  for (const f of ['loop-a.txt', 'loop-b.txt', 'hostile.txt', 'huge.txt']) chmodSync(join(markers, f), 0o644);

  if (canRunPip) {
    const dists = join(work, 'dists');
    mkdirSync(dists);
    const established = (name: string): IndexProject => ({ name, projectUrls: { Source: `https://example.invalid/${name}` }, files: ['1.0', '1.1', '1.2'].map((version, i) => ({ dist: buildWheel(dists, { name, version }), uploaded: daysAgo(400 - i * 50) })) });
    const yanky = established('yanky');
    yanky.files[0]!.yanked = `gone ${ESC}[2J${ESC}[H`;
    index = await startSimpleIndex([established('plainpkg'), yanky, { ...established('summary-esc'), summary: `${ESC}[2J${ESC}]0;owned\x07` }]);
    pipSandbox = await makeSandbox();
    await execa('chmod', ['-R', 'a+rX', work]);
    venv = await newVenv('nobody');
    frozen = await freeze();
  }
}, 180_000);

afterAll(async () => {
  await registry?.close();
  await index?.close();
  await npmSandbox?.cleanup();
  await pipSandbox?.cleanup();
});

function runNpm(args: string[], cwd: string) {
  return runBin('safe-npm', resolveMarkers(args), { cwd, sandbox: npmSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot }, timeoutMs: 120_000 });
}

function runPip(args: string[]) {
  return runSafePip(pipSandbox!, work, venv, resolveMarkers(args), { env: { PIP_INDEX_URL: index!.url, PIP_TIMEOUT: '5', PIP_RETRIES: '0' } });
}

/** A project with a lockfile (so that "up to date" writes nothing), owned by nobody. */
async function project(): Promise<string> {
  const dir = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0' } });
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'p', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'p', version: '1.0.0' } } }, null, 2)}\n`);
  await execa('chown', ['65534:65534', join(dir, 'package-lock.json')]);
  return dir;
}

/** One batch = one process: `safe check` of every row's spec. */
const batches = new Map<string, Promise<RunResult>>();
function batchRun(batch: string): Promise<RunResult> {
  let run = batches.get(batch);
  if (!run) {
    const specs = rows.filter((r) => r.batch === batch).flatMap((r) => r.args);
    run = batch === 'npm-offline' ? project().then((cwd) => runNpm(['safe', 'check', '--offline', ...specs], cwd))
      : batch === 'npm-online' ? project().then((cwd) => runNpm(['safe', 'check', ...specs], cwd))
        : runPip(['safe', 'check', ...(batch === 'pip-offline' ? ['--offline'] : []), ...specs]);
    batches.set(batch, run);
  }
  return run;
}

function commonChecks(row: Row, r: RunResult): void {
  expect(r.exitCode, show(r)).toBe(row.exit);
  expect(stackTrace(r.stdout + r.stderr), show(r)).toBe(false);
  expect(rawHostileLines(r.stdout + r.stderr), show(r)).toEqual([]);
  for (const name of readdirSync(markers)) expect(name, `${row.id}: a payload ran`).not.toMatch(new RegExp(`^${row.id}$`));
  if (row.shows) expect(r.stdout + r.stderr, show(r)).toContain(row.shows.split(M).join(markers));
}

describe('hostile input table', () => {
  it('has at least 60 rows, npm and pip, ids unique', () => {
    expect(rows.length).toBeGreaterThanOrEqual(60);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(rows.some((r) => r.tool === 'pip') && rows.some((r) => r.tool === 'npm')).toBe(true);
  });

  describe('npm', () => {
    it.concurrent.each(rows.filter((r) => r.tool === 'npm').map((r) => [`${r.id} ${r.what} → ${r.exit}`, r] as const))('%s', async (_title, row) => {
      if (row.batch) {
        const r = await batchRun(row.batch);
        commonChecks(row, r);
        // Each spec of the batch is named in the report, neutralized.
        for (const arg of resolveMarkers(row.args)) expect(r.stdout, show(r)).toContain(neutralize(arg.length > 60 ? arg.slice(0, 60) : arg));
        return;
      }
      const cwd = await project();
      const before = await snapshotProject(cwd);
      const prefix = join(prefixHolder, 'prefix');
      const r = await runNpm(row.args, cwd);
      commonChecks(row, r);
      const after = await snapshotProject(cwd);
      if (row.changes === 'installs') {
        const name = row.args[1]!;
        const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
        for (const path of changed) expect(path).toMatch(new RegExp(`^(package\\.json|package-lock\\.json|node_modules|node_modules/\\.package-lock\\.json|node_modules/${name}(/.*)?)$`));
        expect(after[`node_modules/${name}/package.json`]).toBeDefined();
        // Entries climbing out of the package stayed inside (npm's tar) or were dropped.
        expect(existsSync(join(cwd, 'escaped-dotdot.txt')) || existsSync(join(cwd, 'node_modules', 'escaped-dotdot.txt'))).toBe(false);
        expect(existsSync('/tmp/escaped-absolute.txt')).toBe(false);
      } else {
        expect(after, show(r)).toEqual(before);
      }
      if (row.changes === 'prefix') {
        expect(existsSync(join(prefix, 'lib', 'node_modules', 'h-global', 'package.json')), show(r)).toBe(true);
      }
    });
  });

  describe.skipIf(!canRunPip)('pip', () => {
    it.concurrent.each(rows.filter((r) => r.tool === 'pip').map((r) => [`${r.id} ${r.what} → ${r.exit}`, r] as const))('%s', async (_title, row) => {
      const r = row.batch ? await batchRun(row.batch) : await runPip(row.args);
      commonChecks(row, r);
      if (row.batch === 'pip-offline' && !row.quiet) for (const arg of resolveMarkers(row.args)) expect(r.stdout, show(r)).toContain(neutralize(arg.slice(0, 60)));
    });

    it('after every pip row the venv is what it was', async () => {
      expect(await freeze()).toBe(frozen);
    });
  });

  it('no payload ran anywhere (the markers folder holds only the requirement files and the -g prefix)', () => {
    expect(readdirSync(markers).sort()).toEqual(expect.arrayContaining(['hostile.txt', 'huge.txt', 'loop-a.txt', 'loop-b.txt']));
    expect(readdirSync(markers).filter((n) => !['hostile.txt', 'huge.txt', 'loop-a.txt', 'loop-b.txt'].includes(n))).toEqual([]);
  });
});

