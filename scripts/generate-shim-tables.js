#!/usr/bin/env node
/**
 * Build step: read the REAL npm's own command and flag definitions and write
 *   dist/npm-tables.json  (for src/npm/parse-npm-args.ts)
 *   dist/shim-tables.sh   (for the POSIX shims in shims/)
 *
 * Sources, all from the npm that `npm` on PATH resolves to (the same lookup as the runtime,
 * skipping our own shims; override with SAFE_NPM_REAL_NPM=<npm binary or npm package dir>):
 *   - lib/utils/cmd-list.js              commands, aliases, deref() (abbrev + camelCase)
 *   - @npmcli/config/lib/definitions      flag types (which flags take a value) and shorthands
 *   - @npmcli/config/lib/type-defs        names of nopt's type definitions
 *   - abbrev                              nopt's unique-prefix expansion of long flags
 *
 * Usage: node scripts/generate-shim-tables.js [--out <dir>]   (default: dist/)
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Copied from npm's bin/npx-cli.js (they are literals there, not exported). Checked against the
// file's text below so a change in npm fails the build instead of silently drifting.
const NPX = {
  removedSwitches: ['always-spawn', 'ignore-existing', 'shell-auto-fallback'],
  removedOpts: ['npm', 'node-arg', 'n'],
  extraSwitches: ['no-install', 'quiet', 'q', 'version', 'v', 'help', 'h'],
  opts: ['package', 'p', 'cache', 'userconfig', 'call', 'c', 'shell', 'npm', 'node-arg', 'n'],
};

/** The install-like commands (canonical names) and how the shim classifies them. */
const ROUTED = new Set(['install', 'ci', 'update', 'install-test', 'install-ci-test', 'rebuild', 'dedupe', 'link', 'exec', 'uninstall', 'prune']);

function isNpmDir(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'npm';
  } catch {
    return false;
  }
}

/** npm binary (or dir) → the npm package folder. */
function npmDirFrom(binOrDir) {
  const p = realpathSync(binOrDir);
  const candidates = [p, resolve(p, '..', '..'), resolve(dirname(binOrDir), '..', 'lib', 'node_modules', 'npm')];
  const found = candidates.find(isNpmDir);
  if (!found) throw new Error(`cannot locate npm's package folder from ${binOrDir} (tried ${candidates.join(', ')})`);
  return found;
}

async function findNpmDir() {
  const override = process.env.SAFE_NPM_REAL_NPM;
  if (override) return npmDirFrom(override);
  const mod = pathToFileURL(join(ROOT, 'dist', 'run', 'find-real-binary.js')).href;
  const { findRealBinary } = await import(mod);
  const bin = findRealBinary('npm', { path: process.env.PATH, skipDirs: [process.env.SAFE_NPM_SHIM_DIR] });
  return npmDirFrom(bin);
}

/** A nopt type (or list of types) → JSON: type definitions become { def: name }, literals stay. */
function encodeType(type, typeDefs) {
  const one = (t) => {
    if (t === null || typeof t === 'string' || typeof t === 'number' || typeof t === 'boolean') return t;
    for (const [name, d] of Object.entries(typeDefs)) if (d.type === t) return { def: name };
    throw new Error(`unknown nopt type ${String(t && (t.name || t.toString()))}`);
  };
  return Array.isArray(type) ? type.map(one) : one(type);
}

const isDef = (e, name) => e !== null && typeof e === 'object' && e.def === name;

/**
 * How a flag treats the next argument, per nopt's parse(): `plain:no`, the class for `--key` and
 * for `--no-key`:
 *   b   consumes the next argument only if it is `true` or `false`
 *   s   (String) consumes the next argument unless it looks like a flag (-x, --x) or is `--`
 *   v   consumes the next argument unless it is `--` (even `-x`)
 *   eN  consumes it if it matches extra pattern N (`true`, `false`, the type's literal values,
 *       `null` if allowed, any non-flag if it allows String): see _sn_ext
 *   u   depends on the value in a way the shim does not model (Number): routes to safe-npm
 */
function shellClass(type, extras) {
  let t = type;
  let isArr = Array.isArray(t);
  if (isArr && t.length === 1) {
    isArr = false;
    t = t[0];
  }
  if (!isArr) {
    if (isDef(t, 'Boolean')) return 'b:b';
    if (isDef(t, 'String')) return 's:b';
    return 'v:b';
  }
  // an array type in "boolean" mode: true/false, then literal values, null, numbers, strings
  let ext = 'u';
  if (!t.some((e) => isDef(e, 'Number'))) {
    const words = ['true', 'false', ...t.filter((e) => typeof e === 'string' && e !== ''), ...(t.includes(null) ? ['null'] : [])];
    const arm = `case $2 in ${[...new Set(words)].map(pat).join(' | ')}) return 0 ;;${
      t.some((e) => isDef(e, 'String')) ? " '' | -[!-]*) ;; *) return 0 ;;" : ''
    } esac`;
    if (!extras.has(arm)) extras.set(arm, `e${extras.size + 1}`);
    ext = extras.get(arm);
  }
  return t.some((e) => isDef(e, 'Boolean')) ? `${ext}:${ext}` : `v:${ext}`;
}

const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
/** A word as a case pattern: every character quoted (patterns like `?` must match literally). */
const pat = (s) => (s === '' ? "''" : s.split('').map((c) => (/[A-Za-z0-9_.:/@+-]/.test(c) ? c : `\\${c}`)).join(''));

function caseArms(map, valueOf) {
  // group words by their value to keep the file small
  const groups = new Map();
  for (const [word, v] of Object.entries(map)) {
    const val = valueOf(v);
    if (!groups.has(val)) groups.set(val, []);
    groups.get(val).push(pat(word));
  }
  const arms = [];
  for (const [val, words] of groups) {
    for (let i = 0; i < words.length; i += 40) arms.push(`    ${words.slice(i, i + 40).join('|')}) ${val} ;;`);
  }
  return arms.join('\n');
}

export async function buildTables(npmDir) {
  const req = createRequire(join(npmDir, 'package.json'));
  const npmPkg = JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8'));
  const cmdList = req('./lib/utils/cmd-list.js');
  const { definitions, shorthands } = req('@npmcli/config/lib/definitions');
  const typeDefs = req('@npmcli/config/lib/type-defs');
  const abbrev = req('abbrev');
  const configPkg = JSON.parse(readFileSync(req.resolve('@npmcli/config/package.json'), 'utf8'));

  const npxText = readFileSync(join(npmDir, 'bin', 'npx-cli.js'), 'utf8');
  for (const word of [...NPX.removedSwitches, ...NPX.removedOpts, ...NPX.extraSwitches, ...NPX.opts]) {
    if (!npxText.includes(`'${word}'`)) throw new Error(`npm's bin/npx-cli.js no longer mentions '${word}': update NPX in ${fileURLToPath(import.meta.url)}`);
  }

  // Commands: every word npm's own deref() accepts (exact, alias, unique abbreviation) → canonical.
  const words = new Set([...cmdList.commands, ...Object.keys(cmdList.aliases)]);
  for (const w of Object.keys(abbrev([...cmdList.commands, ...Object.keys(cmdList.aliases)]))) words.add(w);
  const commandMap = {};
  for (const w of [...words].sort()) {
    const c = cmdList.deref(w);
    if (c) commandMap[w] = c;
  }

  const types = {};
  for (const [key, def] of Object.entries(definitions)) types[key] = encodeType(def.type, typeDefs);
  const shorthandTable = {};
  for (const [k, v] of Object.entries(shorthands)) shorthandTable[k] = Array.isArray(v) ? [...v] : String(v).split(/\s+/);

  const npmSwitches = Object.entries(definitions)
    .filter(([, { type }]) => type === Boolean || (Array.isArray(type) && type.includes(Boolean)))
    .map(([k]) => k);

  return {
    schema: 1,
    npmVersion: npmPkg.version,
    npmDir,
    configVersion: configPkg.version,
    generatedAt: new Date().toISOString(),
    commands: [...cmdList.commands],
    aliases: { ...cmdList.aliases },
    commandMap,
    types,
    abbrevs: abbrev(Object.keys(definitions)),
    shorthands: shorthandTable,
    shortAbbrevs: abbrev(Object.keys(shorthandTable)),
    npx: {
      switches: [...new Set([...NPX.removedSwitches, ...npmSwitches, ...NPX.extraSwitches])],
      opts: [...NPX.opts],
      removed: [...NPX.removedSwitches, ...NPX.removedOpts],
    },
  };
}

/** The tables as POSIX sh functions, sourced by shims/npm. */
export function renderShell(t) {
  const extras = new Map();
  const longClass = Object.fromEntries(Object.entries(t.types).map(([k, type]) => [k, shellClass(type, extras)]));
  const abbrevClass = {};
  for (const [a, key] of Object.entries(t.abbrevs)) if (a !== key) abbrevClass[a] = longClass[key];
  const shortAbbr = {};
  for (const [a, key] of Object.entries(t.shortAbbrevs)) if (a !== key) shortAbbr[a] = t.shorthands[key];
  const singles = Object.keys(t.shorthands).filter((s) => s.length === 1);
  for (const tok of Object.values(t.shorthands).flat()) {
    if (/[\s*?[\]'"\\$`]/.test(tok)) throw new Error(`shorthand expansion token ${tok} is not shell-safe`);
  }
  const cmdClass = {};
  for (const [w, c] of Object.entries(t.commandMap)) {
    cmdClass[w] = ROUTED.has(c) ? 'i' : c === 'audit' ? 'a' : c === 'init' ? 'n' : 'p';
  }
  // `safe` is safe-npm's own command (npm has none by that name; checked here).
  if (t.commandMap.safe) throw new Error('npm now has a command "safe": rename safe-npm\'s subcommand');
  cmdClass.safe = 's';

  return `# Generated by scripts/generate-shim-tables.js — do not edit.
# Source: npm ${t.npmVersion} (${t.npmDir}), @npmcli/config ${t.configVersion}, ${t.generatedAt}
SAFE_NPM_TABLES_NPM_VERSION=${shq(t.npmVersion)}

# _sn_long KEY: exact long flag name → _sn_c = 'class of --key:class of --no-key', else status 1.
# Classes: b consumes a following true/false; s consumes the next arg unless it looks like a
# flag; v consumes the next arg unless it is --; eN consumes it if _sn_ext eN accepts it;
# u depends on the value in a way not modelled here (route to safe-npm).
_sn_long() {
  case $1 in
${caseArms(longClass, (c) => `_sn_c=${c}`)}
    *) return 1 ;;
  esac
}

# _sn_labbrev PREFIX: unique abbreviation of a long flag (nopt's abbrev) → _sn_c.
_sn_labbrev() {
  case $1 in
${caseArms(abbrevClass, (c) => `_sn_c=${c}`)}
    *) return 1 ;;
  esac
}

# _sn_short NAME: exact shorthand → _sn_x = its expansion (space-separated tokens).
_sn_short() {
  case $1 in
${caseArms(t.shorthands, (x) => `_sn_x=${shq(x.join(' '))}`)}
    *) return 1 ;;
  esac
}

# _sn_sabbrev PREFIX: unique abbreviation of a shorthand → _sn_x.
_sn_sabbrev() {
  case $1 in
${caseArms(shortAbbr, (x) => `_sn_x=${shq(x.join(' '))}`)}
    *) return 1 ;;
  esac
}

# _sn_ext CODE NEXT: does a flag of class CODE consume NEXT?
_sn_ext() {
  case $1 in
${[...extras].map(([arm, code]) => `    ${code}) ${arm} ;;`).join('\n')}
  esac
  return 1
}

# Single-character shorthands (for -gDE style groups).
_sn_singles=${shq(singles.join(''))}

# _sn_cmdclass WORD: npm command word (incl. aliases, abbreviations) → _sn_k:
# i install-like, a audit (routed with "fix"), n init (routed with an initializer), s safe-npm's own, p passthrough.
_sn_cmdclass() {
  case $1 in
${caseArms(cmdClass, (c) => `_sn_k=${c}`)}
    *) _sn_k=p ;;
  esac
}
`;
}

async function main() {
  const outIdx = process.argv.indexOf('--out');
  const out = outIdx > -1 ? resolve(process.argv[outIdx + 1]) : join(ROOT, 'dist');
  const npmDir = await findNpmDir();
  const tables = await buildTables(npmDir);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'npm-tables.json'), JSON.stringify(tables) + '\n');
  writeFileSync(join(out, 'shim-tables.sh'), renderShell(tables));
  process.stdout.write(
    `safe-npm: tables from npm ${tables.npmVersion} (${npmDir}): ${Object.keys(tables.commandMap).length} command words, ` +
      `${Object.keys(tables.types).length} flags, ${Object.keys(tables.shorthands).length} shorthands → ${out}\n`,
  );
}

if (process.argv[1] && existsSync(process.argv[1]) && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`generate-shim-tables: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
