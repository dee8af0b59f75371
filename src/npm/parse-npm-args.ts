/**
 * argv → NpmInvocation, with npm's own rules: the command table and abbreviations of npm's
 * lib/utils/cmd-list.js and a faithful port of nopt's parse() over @npmcli/config's flag
 * definitions (both generated at build time into the tables). Pure: no I/O, no process.
 *
 * npm-package-arg (~25 ms to load) is required lazily, only when there are specs to parse,
 * so a passthrough never pays for it.
 */
import { createRequire } from 'node:module';
import { UsageError } from '../core/errors.js';
import type { NpmCommandKind, NpmInvocation, NpmSpecRequest, OwnFlags } from './npm-invocation.js';
import type { NpmFlagType, NpmTables, NpmTypeElem } from './npm-tables.js';

export interface ParseNpmArgsOptions {
  /** Directory that relative folder/tarball specs resolve against (npm-package-arg's `where`). Default '/'. */
  cwd?: string;
}

/** safe-npm's own flags: `--safe-<name>` → OwnFlags field. */
const OWN_BOOLEAN_FLAGS = {
  yes: 'yes',
  'strict-scripts': 'strictScripts',
  project: 'project',
} as const satisfies Record<string, keyof Omit<OwnFlags, 'other'>>;

/** Environment equivalents of the own flags (a flag on the command line wins). */
const OWN_ENV = {
  yes: 'SAFE_NPM_YES',
  strictScripts: 'SAFE_NPM_STRICT_SCRIPTS',
  project: 'SAFE_NPM_PROJECT',
} as const;

/** First argument set by shims/npx: the rest is npx's argv (rewritten like npm's bin/npx-cli.js). */
export const NPX_MARKER = '--safe-npx';

const KIND_BY_COMMAND: Record<string, NpmCommandKind> = {
  install: 'install',
  ci: 'ci',
  update: 'update',
  'install-test': 'install-test',
  'install-ci-test': 'install-ci-test',
  rebuild: 'rebuild',
  dedupe: 'dedupe',
  link: 'link',
  exec: 'exec',
  // These rebuild the tree too: they install anything missing and would run its scripts.
  uninstall: 'reify',
  prune: 'reify',
};

/** Install-like commands whose positionals are package specs. */
const SPEC_COMMANDS = new Set(['install', 'update', 'install-test', 'rebuild', 'link']);

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

// ---------------------------------------------------------------------------------------------
// nopt port

interface Tok {
  /** The token text after nopt's splitting (`--a=b` → `--a`, `b`). */
  t: string;
  /** Index of the user's argument it came from (in the list npmArgs is built from). */
  o: number;
}

interface FlagRecord {
  key: string;
  value: unknown;
  /** Argument indices the flag and any value it consumed came from. */
  origins: number[];
}

interface NoptResult {
  data: Record<string, unknown>;
  remain: Tok[];
  records: FlagRecord[];
}

const isDef = (e: NpmTypeElem | undefined, name: string): boolean =>
  e !== null && typeof e === 'object' && (e as { def: string }).def === name;
const hasDef = (list: NpmTypeElem[], name: string): boolean => list.some((e) => isDef(e, name));

function resolveShort(arg: string, tables: NpmTables): string[] | null | undefined {
  const { abbrevs, shorthands, shortAbbrevs } = tables;
  arg = arg.replace(/^-+/, '');
  if (hasOwn(abbrevs, arg) && abbrevs[arg] === arg) return null;
  if (hasOwn(shorthands, arg)) return shorthands[arg];
  // a group of single-character shorthands, like -gDE
  const chars = arg.split('');
  if (chars.every((c) => hasOwn(shorthands, c))) return chars.flatMap((c) => shorthands[c]);
  if (hasOwn(abbrevs, arg) && !hasOwn(shorthands, arg)) return null;
  if (hasOwn(shortAbbrevs, arg)) arg = shortAbbrevs[arg];
  return hasOwn(shorthands, arg) ? shorthands[arg] : undefined;
}

/** nopt's parse() (nopt 9, as used by @npmcli/config), tracking where each token came from. */
function noptParse(input: Tok[], tables: NpmTables): NoptResult {
  const args = input.slice();
  const data: Record<string, unknown> = Object.create(null);
  const remain: Tok[] = [];
  const records: FlagRecord[] = [];
  const { types, abbrevs } = tables;

  for (let i = 0; i < args.length; i++) {
    let arg = args[i].t;
    const origin = args[i].o;
    if (/^-{2,}$/.test(arg)) {
      remain.push(...args.slice(i + 1));
      break;
    }
    let hadEq = false;
    if (arg.charAt(0) === '-' && arg.length > 1) {
      const at = arg.indexOf('=');
      if (at > -1) {
        hadEq = true;
        const v = arg.slice(at + 1);
        arg = arg.slice(0, at);
        args.splice(i, 1, { t: arg, o: origin }, { t: v, o: origin });
      }
      const shRes = resolveShort(arg, tables);
      if (shRes) {
        args.splice(i, 1, ...shRes.map((t) => ({ t, o: origin })));
        if (arg !== shRes[0]) {
          i--;
          continue;
        }
      }
      arg = arg.replace(/^-+/, '');
      let no: boolean | null = null;
      while (arg.toLowerCase().indexOf('no-') === 0) {
        no = !no;
        arg = arg.slice(3);
      }
      if (hasOwn(abbrevs, arg) && abbrevs[arg] !== arg) arg = abbrevs[arg];

      const hasType = hasOwn(types, arg);
      let argType: NpmFlagType | undefined = hasType ? types[arg] : undefined;
      let isTypeArray = Array.isArray(argType);
      if (Array.isArray(argType) && argType.length === 1) {
        isTypeArray = false;
        argType = argType[0];
      }
      const list: NpmTypeElem[] = Array.isArray(argType) ? argType : [];
      let isArray = isDef(argType as NpmTypeElem, 'Array') || (isTypeArray && hasDef(list, 'Array'));
      if (!hasType && hasOwn(data, arg)) {
        if (!Array.isArray(data[arg])) data[arg] = [data[arg]];
        isArray = true;
      }

      const start = i;
      let val: unknown;
      let la: string | undefined | null = args[i + 1]?.t;
      const isBool =
        typeof no === 'boolean' ||
        isDef(argType as NpmTypeElem, 'Boolean') ||
        (isTypeArray && hasDef(list, 'Boolean')) ||
        (argType === undefined && !hadEq) ||
        (la === 'false' && (argType === null || (isTypeArray && list.includes(null))));

      const store = (v: unknown): void => {
        if (isArray) {
          const cur = data[arg];
          if (Array.isArray(cur)) cur.push(v);
          else data[arg] = [v];
        } else {
          data[arg] = v;
        }
        const origins: number[] = [];
        for (let k = start; k <= i && k < args.length; k++) if (!origins.includes(args[k].o)) origins.push(args[k].o);
        records.push({ key: arg, value: v, origins });
      };

      if (isBool) {
        val = !no;
        if (la === 'true' || la === 'false') {
          val = JSON.parse(la);
          la = null;
          if (no) val = !val;
          i++;
        }
        if (isTypeArray && la) {
          if (list.includes(la)) {
            val = la;
            i++;
          } else if (la === 'null' && list.includes(null)) {
            val = null;
            i++;
          } else if (!/^-{2,}[^-]/.test(la) && !Number.isNaN(Number(la)) && hasDef(list, 'Number')) {
            val = +la;
            i++;
          } else if (!/^-[^-]/.test(la) && hasDef(list, 'String')) {
            val = la;
            i++;
          }
        }
        store(val);
        continue;
      }

      if (isDef(argType as NpmTypeElem, 'String')) {
        if (la === undefined) {
          la = '';
        } else if (/^-{1,2}[^-]+/.test(la)) {
          la = '';
          i--;
        }
      }
      if (la && /^-{2,}$/.test(la)) {
        la = undefined;
        i--;
      }
      val = la === undefined ? true : la;
      i++;
      store(val);
      continue;
    }
    remain.push(args[i]);
  }
  return { data, remain, records };
}

// ---------------------------------------------------------------------------------------------
// npx argv → npm exec argv (npm's bin/npx-cli.js)

function npxToNpmArgv(npxArgs: string[], tables: NpmTables, warnings: string[]): string[] {
  const argv = ['exec', ...npxArgs];
  const switches = new Set(tables.npx.switches);
  const opts = new Set(tables.npx.opts);
  const removed = new Set(tables.npx.removed);
  const { shorthands } = tables;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    if (/^-/.test(arg)) {
      const [key, ...v] = arg.replace(/^-+/, '').split('=');
      if (key.startsWith('safe-')) continue; // our own flags never take a separate value
      switch (key) {
        case 'p':
          argv[i] = ['--package', ...v].join('=');
          break;
        case 'shell':
          argv[i] = ['--script-shell', ...v].join('=');
          break;
        case 'no-install':
          argv[i] = '--yes=false';
          break;
        default:
          if (hasOwn(shorthands, key) && !removed.has(key)) {
            const a = [...shorthands[key]];
            if (v.length) a.push(v.join('='));
            argv.splice(i, 1, ...a);
            i--;
            continue;
          }
      }
      if (removed.has(key)) {
        warnings.push(`npx: the --${key} argument has been removed.`);
        argv.splice(i, 1);
        i--;
      }
      if (v.length === 0 && !switches.has(key) && (opts.has(key) || !/^-/.test(String(argv[i + 1])))) {
        if (removed.has(key)) argv.splice(i + 1, 1);
        else i++;
      }
    } else {
      argv.splice(i, 0, '--');
      break;
    }
  }
  return argv;
}

// ---------------------------------------------------------------------------------------------
// own flags

function parseBoolValue(flag: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new UsageError(`${flag}: expected true or false, got '${value}'`);
}

const envTrue = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/** Remove `--safe-*` flags (before the first `--`), returning the rest and the parsed flags. */
function splitOwnFlags(argv: string[], env: Record<string, string | undefined>): { rest: string[]; own: OwnFlags } {
  const own: OwnFlags = {
    yes: envTrue(env[OWN_ENV.yes]),
    strictScripts: envTrue(env[OWN_ENV.strictScripts]),
    project: envTrue(env[OWN_ENV.project]),
    other: {},
  };
  const rest: string[] = [];
  let ended = false;
  for (const arg of argv) {
    if (ended || !arg.startsWith('--safe-')) {
      if (/^-{2,}$/.test(arg)) ended = true;
      rest.push(arg);
      continue;
    }
    const at = arg.indexOf('=');
    const name = (at > -1 ? arg.slice(0, at) : arg).slice('--safe-'.length);
    const value = at > -1 ? arg.slice(at + 1) : undefined;
    if (hasOwn(OWN_BOOLEAN_FLAGS, name)) {
      own[OWN_BOOLEAN_FLAGS[name as keyof typeof OWN_BOOLEAN_FLAGS]] = parseBoolValue(`--safe-${name}`, value);
    } else if (`--safe-${name}` === NPX_MARKER) {
      throw new UsageError(`${NPX_MARKER} is only valid as the first argument (it is set by the npx shim)`);
    } else {
      const known = Object.keys(OWN_BOOLEAN_FLAGS).map((k) => `--safe-${k}`).join(', ');
      throw new UsageError(`unknown option --safe-${name} (safe-npm's own options: ${known})`);
    }
  }
  return { rest, own };
}

// ---------------------------------------------------------------------------------------------
// specs

interface NpaResult {
  type: string;
  name: string | null;
  raw: string;
  rawSpec: string;
  fetchSpec: string | null;
  saveSpec?: string | null;
  registry?: boolean;
  subSpec?: NpaResult;
  hosted?: { https?: () => string | undefined } | null;
}
type Npa = (arg: string, where?: string) => NpaResult;

let npaFn: Npa | undefined;
function npa(): Npa {
  npaFn ??= createRequire(import.meta.url)('npm-package-arg') as Npa;
  return npaFn;
}

let validateName: ((name: string) => { validForOldPackages: boolean }) | undefined;
/** npm's own package-name validator (the one npm-package-arg uses). */
function validName(name: string): boolean {
  validateName ??= createRequire(createRequire(import.meta.url).resolve('npm-package-arg'))('validate-npm-package-name') as typeof validateName;
  return validateName!(name).validForOldPackages;
}

/**
 * A bare registry name (`lodash`, `@types/node`): what npm-package-arg returns for it, without its
 * cost (~150 µs a call, mostly URL handling) — `safe check` takes thousands of names at once.
 * Anything else (versions, paths, URLs, git shorthands, aliases) goes through npm-package-arg.
 */
const BARE_NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;
function bareRegistryName(raw: string, defaultTag: string): NpmSpecRequest | undefined {
  if (!BARE_NAME.test(raw) || /\.(?:tgz|tar|tar\.gz)$/i.test(raw) || !validName(raw)) return undefined;
  return { raw, type: 'range', name: raw, registryName: raw, fetchSpec: defaultTag, fromRegistry: true };
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** No registry has a name over 214 characters (npm's own limit): asking for one is a typo or an attack, not a package. */
function longNameRefused(spec: NpmSpecRequest): NpmSpecRequest {
  if ((spec.registryName?.length ?? 0) > 214) {
    throw new UsageError(`invalid package spec ${JSON.stringify(spec.raw.slice(0, 60))}…: a package name has at most 214 characters (this one has ${spec.registryName!.length})`);
  }
  return spec;
}

/** One package spec as typed → NpmSpecRequest, via npm-package-arg; UsageError when npm would misread it. */
export function parseSpec(raw: string, where: string, defaultTag = 'latest'): NpmSpecRequest {
  if (raw.trim() === '') {
    throw new UsageError(
      `empty package spec ${JSON.stringify(raw)}: npm would install a package named "undefined"; give a package name`,
    );
  }
  const bare = bareRegistryName(raw, defaultTag);
  if (bare) return longNameRefused(bare);
  let res: NpaResult;
  try {
    res = npa()(raw, where);
  } catch (err) {
    throw new UsageError(`invalid package spec ${JSON.stringify(raw)}: ${oneLine((err as Error).message)}`);
  }
  const noVersion = (r: NpaResult, text: string): boolean =>
    r.rawSpec === '' || (r.rawSpec === '*' && !/@\*\s*$/.test(text));
  if (res.type === 'alias' && res.subSpec) {
    const sub = res.subSpec;
    return {
      raw,
      type: 'alias',
      name: res.name ?? undefined,
      registryName: sub.name ?? undefined,
      fetchSpec: noVersion(sub, raw) ? defaultTag : (sub.fetchSpec ?? sub.rawSpec),
      fromRegistry: !!sub.registry,
    };
  }
  if (res.registry) {
    return longNameRefused({
      raw,
      type: res.type,
      name: res.name ?? undefined,
      registryName: res.name ?? undefined,
      fetchSpec: noVersion(res, raw) ? defaultTag : (res.fetchSpec ?? res.rawSpec),
      fromRegistry: true,
    });
  }
  return {
    raw,
    type: res.type,
    name: res.name ?? undefined,
    fetchSpec: res.fetchSpec ?? res.hosted?.https?.() ?? res.rawSpec,
    fromRegistry: false,
  };
}

/** npm init <initializer> → the create-* package npm would run (npm's lib/commands/init.js execCreate). */
export function initializerPackage(initializer: string, where: string): string {
  if (/^@[^/]+$/.test(initializer)) {
    const [, scope, version] = initializer.split('@');
    return version ? `@${scope}/create@${version}` : `@${scope}/create`;
  }
  if (initializer.trim() === '') parseSpec(initializer, where); // throws the empty-spec error
  let req: NpaResult;
  try {
    req = npa()(initializer, where);
  } catch (err) {
    throw new UsageError(`invalid initializer ${JSON.stringify(initializer)}: ${oneLine((err as Error).message)}`);
  }
  const hosted = req.hosted as { user?: string; project?: string } | null | undefined;
  if (req.type === 'git' && hosted && hosted.user && hosted.project) {
    return initializer.replace(`${hosted.user}/${hosted.project}`, `${hosted.user}/create-${hosted.project}`);
  }
  if (req.registry && req.name) {
    const name = req.name.replace(/^(@[^/]+\/)?/, '$1create-');
    // npm appends `@${rawSpec}` ('*' when none): keep the plain name when no version was typed
    return req.rawSpec === '*' && !/@\*\s*$/.test(initializer) ? name : `${name}@${req.rawSpec}`;
  }
  throw new UsageError(`Unrecognized initializer: ${initializer} (npm init runs create-<initializer> from the registry or a git host)`);
}

// ---------------------------------------------------------------------------------------------
// config

function cleanValue(key: string, v: unknown, tables: NpmTables): string | boolean | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return String(v);
  const s = String(v);
  const type = hasOwn(tables.types, key) ? tables.types[key] : undefined;
  const list: NpmTypeElem[] = type === undefined ? [] : Array.isArray(type) ? type : [type];
  const boolish = type === undefined || hasDef(list, 'Boolean') || list.includes(true) || list.includes(false);
  if (boolish && (s.trim() === 'true' || s.trim() === 'false')) return s.trim() === 'true';
  if (s.trim() === 'null' && list.includes(null)) return undefined;
  return s;
}

function toCliConfig(data: Record<string, unknown>, tables: NpmTables): NpmInvocation['cliConfig'] {
  const out: NpmInvocation['cliConfig'] = {};
  for (const key of Object.keys(data)) {
    const v = data[key];
    if (Array.isArray(v)) {
      out[key] = v.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number').map(String);
      continue;
    }
    const c = cleanValue(key, v, tables);
    if (c !== undefined) out[key] = c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** The result of parseNpmArgs: the shared contract, with the optional parser fields always set. */
export interface ParsedNpmInvocation extends NpmInvocation {
  ignoredScriptsOverrides: string[];
  viaNpx: boolean;
  warnings: string[];
}

/**
 * Parse an npm (or, after NPX_MARKER, npx) command line with npm's own rules.
 * Throws UsageError for our own bad flags, empty or invalid package specs.
 */
export function parseNpmArgs(
  argv: string[],
  env: Record<string, string | undefined>,
  tables: NpmTables,
  options: ParseNpmArgsOptions = {},
): ParsedNpmInvocation {
  const where = options.cwd ?? '/';
  const warnings: string[] = [];
  const viaNpx = argv[0] === NPX_MARKER;
  // npx: npm's own rewriting puts `--` before the first positional, so `npx pkg --safe-yes`
  // leaves --safe-yes to pkg. Own flags are split off after the rewriting.
  const npmArgv = viaNpx ? npxToNpmArgv(argv.slice(1), tables, warnings) : argv;
  const { rest: work, own } = splitOwnFlags(npmArgv, env);

  const { data, remain, records } = noptParse(
    work.map((t, o) => ({ t, o })),
    tables,
  );
  const cliConfig = toCliConfig(data, tables);

  const base = {
    specs: [] as NpmSpecRequest[],
    positionals: [] as string[],
    global: data.global === true || data.location === 'global',
    workspaces: workspacesOf(data),
    npmArgs: work,
    ownFlags: own,
    cliConfig,
    ignoredScriptsOverrides: [] as string[],
    viaNpx,
    warnings,
  };

  if (remain.length === 0) return { ...base, kind: 'passthrough' };
  const typedCommand = remain[0].t;
  const positionals = remain.slice(1).map((t) => t.t);

  if (typedCommand === 'safe') {
    // our own subcommands get every argument after `safe`, flags included, as typed
    return { ...base, kind: 'safe', command: 'safe', typedCommand, positionals: work.slice(remain[0].o + 1) };
  }

  const deref = /[A-Z]/.test(typedCommand)
    ? typedCommand.replace(/([A-Z])/g, (m) => '-' + m.toLowerCase())
    : typedCommand;
  const command = hasOwn(tables.commandMap, deref) ? tables.commandMap[deref] : undefined;

  let kind: NpmCommandKind = 'passthrough';
  if (command && hasOwn(KIND_BY_COMMAND, command)) kind = KIND_BY_COMMAND[command];
  else if (command === 'audit' && positionals[0] === 'fix') kind = 'audit-fix';
  else if (command === 'init' && positionals.length > 0) kind = 'init';

  // npm answers these itself before running the command: nothing is installed.
  if (data.version === true || data.usage === true || (data.versions !== undefined && data.versions !== false)) {
    kind = 'passthrough';
  }

  const result: ParsedNpmInvocation = { ...base, kind, command, typedCommand, positionals, positionalIndexes: remain.slice(1).map((t) => t.o) };
  if (kind === 'passthrough') return result;

  // Scripts stay off: drop the user's attempts to turn them back on.
  const drop = new Set<number>();
  for (const r of records) {
    if (r.key === 'ignore-scripts' && r.value !== true) for (const o of r.origins) drop.add(o);
  }
  if (drop.size) {
    const kept = new Set(remain.map((t) => t.o));
    for (const r of records) if (r.key !== 'ignore-scripts' || r.value === true) r.origins.forEach((o) => kept.add(o));
    for (const o of drop) {
      if (kept.has(o)) throw new UsageError(`cannot use ${JSON.stringify(work[o])}: it mixes --ignore-scripts=false with other arguments`);
    }
    result.ignoredScriptsOverrides = work.filter((_, o) => drop.has(o));
    // Rewritten in place to the scripts-off form, never removed: a removed token would shift how npm
    // reads its neighbours (`--tag --ignore-scripts=false install` without it is `--tag install`).
    result.npmArgs = work.map((t, o) => (drop.has(o) ? scriptsOffForm(t) : t));
    delete result.cliConfig['ignore-scripts'];
  }

  const tag = typeof cliConfig.tag === 'string' && cliConfig.tag ? cliConfig.tag : 'latest';
  if (command && SPEC_COMMANDS.has(command)) {
    result.specs = positionals.map((p) => parseSpec(p, where, tag));
  } else if (kind === 'exec') {
    result.exec = execOf(data, positionals, where, tag);
    result.specs = result.exec.packages;
  } else if (kind === 'init') {
    const [initializer, ...args] = positionals;
    const pkg = initializerPackage(initializer, where);
    const packages = [{ ...parseSpec(pkg, where, tag), raw: pkg }];
    result.exec = { packages, args };
    result.specs = packages;
  }
  return result;
}

/** The same argument, saying scripts stay off: `--x=false` → `--ignore-scripts=true`, `--no-…` → `--ignore-scripts`, a value → `true`. */
function scriptsOffForm(token: string): string {
  if (!token.startsWith('-')) return 'true';
  return token.includes('=') ? '--ignore-scripts=true' : '--ignore-scripts';
}

function workspacesOf(data: Record<string, unknown>): string[] | boolean {
  const ws = data.workspace;
  const list = (Array.isArray(ws) ? ws : ws === undefined ? [] : [ws]).filter((w): w is string => typeof w === 'string');
  if (list.length) return list;
  return data.workspaces === true;
}

/** npm exec / npx: what gets installed and what runs (npm's lib/commands/exec.js + libnpmexec). */
function execOf(
  data: Record<string, unknown>,
  positionals: string[],
  where: string,
  tag: string,
): NonNullable<NpmInvocation['exec']> {
  const pkgList = data.package;
  const packageArgs = (Array.isArray(pkgList) ? pkgList : pkgList === undefined ? [] : [pkgList]).map((p) =>
    typeof p === 'string' ? p : '',
  );
  const call = typeof data.call === 'string' && data.call !== '' ? data.call : undefined;
  const packages = packageArgs.map((p) => parseSpec(p, where, tag));
  if (call) return { packages, command: call, args: positionals, call: true };
  if (packages.length) {
    const [command, ...args] = positionals;
    return { packages, command, args };
  }
  if (positionals.length === 0) return { packages: [], args: [] };
  // `npx pkg args`: the first positional is the package; npm runs its bin (chosen from the manifest)
  const [first, ...args] = positionals;
  return { packages: [parseSpec(first, where, tag)], args };
}
