/**
 * argv → what pip would do, tokenised the way pip's optparse parsers do it: long-option prefixes
 * (`--extra-ind`), `--opt=value`, short clusters (`-Ur req.txt`, `-iURL`), options after
 * positionals, `--` ending options. General options before the command are parsed with
 * interspersed arguments off (pip's main parser), then the command parser sees the whole line
 * minus the command word, as pip does. Only the shape is parsed here: requirement files, env and
 * config are left to pip itself (see pip-guard.ts).
 */
import { UsageError } from '../core/errors.js';
import { atLeast, optionsFor, pipCommandNames, type OptionSpec, type PipCommand, type PipVersion } from './pip-options.js';

export interface ParsedOption {
  spec: OptionSpec;
  /** The value, for options that take one. */
  value?: string;
  /** The tokens as typed. */
  raw: string[];
}

/** `argvIndex`: where the positional sits in the argv given to parsePipArgs (to rewrite it). */
export type ParsedItem = { kind: 'option'; option: ParsedOption } | { kind: 'positional'; value: string; argvIndex?: number };

export interface PipOwnFlags {
  /** --safe-yes / SAFE_PIP_YES=1: accept warn findings (never block, never builds). */
  yes: boolean;
  /** --safe-strict-builds / SAFE_PIP_STRICT_BUILDS=1: exit 67 when a build is withheld. */
  strictBuilds: boolean;
  other: Record<string, string | boolean>;
}

export type PipInvocationKind = 'passthrough' | 'safe' | PipCommand;

export interface PipInvocation {
  kind: PipInvocationKind;
  command?: string;
  /** The argv for the real pip: the user's argv minus our --safe-* flags, otherwise byte for byte. */
  pipArgs: string[];
  ownFlags: PipOwnFlags;
  /** Options and positionals of the command, in order (empty for passthrough). */
  items: ParsedItem[];
  /** For `safe-pip safe ...`: the arguments after `safe`. */
  safeArgs?: string[];
}

const ownFlagNames: Record<string, keyof Omit<PipOwnFlags, 'other'>> = {
  '--safe-yes': 'yes',
  '--safe-strict-builds': 'strictBuilds',
  '--safe-strict-scripts': 'strictBuilds',
};

/** Split off our own `--safe-*` flags (anywhere before `--`); env equivalents SAFE_PIP_YES=1 etc. */
export function splitOwnFlags(argv: readonly string[], env: Record<string, string | undefined> = {}): { args: string[]; own: PipOwnFlags; argvIndex: number[] } {
  const own: PipOwnFlags = {
    yes: truthy(env.SAFE_PIP_YES),
    strictBuilds: truthy(env.SAFE_PIP_STRICT_BUILDS) || truthy(env.SAFE_PIP_STRICT_SCRIPTS),
    other: {},
  };
  const args: string[] = [];
  const argvIndex: number[] = [];
  let ended = false;
  for (const [index, arg] of argv.entries()) {
    if (!ended && arg === '--') ended = true;
    if (!ended && arg.startsWith('--safe-')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      const value = eq === -1 ? undefined : arg.slice(eq + 1);
      const key = ownFlagNames[name];
      if (key) own[key] = value === undefined ? true : truthy(value);
      else throw new UsageError(`unknown safe-pip option: ${name} (known: ${Object.keys(ownFlagNames).join(', ')})`);
      continue;
    }
    args.push(arg);
    argvIndex.push(index);
  }
  return { args, own, argvIndex };
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v);
}

interface Tokenised {
  items: ParsedItem[];
  /** Index in argv where parsing stopped (main parser: the command word). */
  stoppedAt: number;
}

/** optparse's long-option lookup: exact word, else a unique prefix among every long spelling. */
export function matchLong(word: string, specs: readonly OptionSpec[]): OptionSpec {
  const words = new Map<string, OptionSpec>();
  for (const s of specs) for (const w of [s.name, ...s.aliases]) words.set(w, s);
  const exact = words.get(word);
  if (exact) return exact;
  const possible = [...words.keys()].filter((w) => w.startsWith(word));
  if (possible.length === 1) return words.get(possible[0]!)!;
  if (possible.length > 1) throw new UsageError(`pip: ambiguous option: ${word} (${possible.sort().join(', ')}?)`);
  throw new UsageError(`pip: no such option: ${word}`);
}

function tokenise(argv: readonly string[], specs: readonly OptionSpec[], interspersed: boolean): Tokenised {
  const items: ParsedItem[] = [];
  const shorts = new Map<string, OptionSpec>();
  for (const s of specs) for (const c of s.short) shorts.set(c, s);
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg === '--') {
      if (!interspersed) return { items, stoppedAt: i };
      argv.slice(i + 1).forEach((rest, k) => items.push({ kind: 'positional', value: rest, argvIndex: i + 1 + k }));
      return { items, stoppedAt: argv.length };
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const word = eq === -1 ? arg : arg.slice(0, eq);
      const spec = matchLong(word, specs);
      if (spec.takesValue) {
        if (eq !== -1) {
          items.push({ kind: 'option', option: { spec, value: arg.slice(eq + 1), raw: [arg] } });
          i += 1;
        } else {
          if (i + 1 >= argv.length) throw new UsageError(`pip: ${word} option requires 1 argument`);
          items.push({ kind: 'option', option: { spec, value: argv[i + 1]!, raw: [arg, argv[i + 1]!] } });
          i += 2;
        }
      } else {
        if (eq !== -1) throw new UsageError(`pip: ${spec.name} option does not take a value`);
        items.push({ kind: 'option', option: { spec, raw: [arg] } });
        i += 1;
      }
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      let j = 1;
      let consumedNext = false;
      while (j < arg.length) {
        const letter = `-${arg[j]}`;
        const spec = shorts.get(letter);
        if (!spec) throw new UsageError(`pip: no such option: ${letter}`);
        if (spec.takesValue) {
          const rest = arg.slice(j + 1);
          if (rest !== '') {
            items.push({ kind: 'option', option: { spec, value: rest, raw: [arg] } });
          } else {
            if (i + 1 >= argv.length) throw new UsageError(`pip: ${letter} option requires 1 argument`);
            items.push({ kind: 'option', option: { spec, value: argv[i + 1]!, raw: [arg, argv[i + 1]!] } });
            consumedNext = true;
          }
          break;
        }
        items.push({ kind: 'option', option: { spec, raw: [arg] } });
        j += 1;
      }
      i += consumedNext ? 2 : 1;
      continue;
    }
    if (!interspersed) return { items, stoppedAt: i };
    items.push({ kind: 'positional', value: arg, argvIndex: i });
    i += 1;
  }
  return { items, stoppedAt: argv.length };
}

/**
 * Parse a pip command line (without the program name). `version` picks the option set of the pip
 * that will run (options added or removed across pip versions change what a prefix means).
 */
export function parsePipArgs(argv: readonly string[], options: { env?: Record<string, string | undefined>; version?: PipVersion } = {}): PipInvocation {
  const { args, own, argvIndex } = splitOwnFlags(argv, options.env ?? {});
  const base: Omit<PipInvocation, 'kind'> = { pipArgs: args, ownFlags: own, items: [] };

  // `safe-pip safe ...` is ours, recognised only as the first word.
  if (args[0] === 'safe') return { ...base, kind: 'safe', command: 'safe', safeArgs: args.slice(1) };

  let general: Tokenised;
  try {
    general = tokenise(args, optionsFor(undefined, options.version), false);
  } catch (error) {
    // pip reports its own usage errors for commands that install nothing.
    if (error instanceof UsageError) return { ...base, kind: 'passthrough' };
    throw error;
  }
  const command = args[general.stoppedAt];
  if (command === undefined || command === '--') return { ...base, kind: 'passthrough' };
  if (!(pipCommandNames as readonly string[]).includes(command)) return { ...base, kind: 'passthrough', command };
  // `pip lock` (25.1+) resolves and builds like download; older pips do not know it (pip's own error).
  const builds = command === 'install' || command === 'download' || command === 'wheel' || (command === 'lock' && atLeast(options.version, [25, 1]));
  if (!builds) return { ...base, kind: 'passthrough', command };

  const cmdArgs = [...args.slice(0, general.stoppedAt), ...args.slice(general.stoppedAt + 1)];
  const parsed = tokenise(cmdArgs, optionsFor(command, options.version), true);
  // Positions in cmdArgs → positions in the caller's argv (the command word and --safe-* removed).
  for (const it of parsed.items) {
    if (it.kind === 'positional' && it.argvIndex !== undefined) {
      it.argvIndex = argvIndex[it.argvIndex < general.stoppedAt ? it.argvIndex : it.argvIndex + 1];
    }
  }
  // `pip install --help` / `--version` only print: nothing to vet.
  if (parsed.items.some((it) => it.kind === 'option' && it.option.spec.role === 'help')) return { ...base, kind: 'passthrough', command };
  return { ...base, kind: command, command, items: parsed.items };
}

/** The values of one option (by canonical name), in order. */
export function optionValues(items: readonly ParsedItem[], name: string): string[] {
  return items.flatMap((it) => (it.kind === 'option' && it.option.spec.name === name && it.option.value !== undefined ? [it.option.value] : []));
}

export function hasOption(items: readonly ParsedItem[], name: string): boolean {
  return items.some((it) => it.kind === 'option' && it.option.spec.name === name);
}

export function positionals(items: readonly ParsedItem[]): string[] {
  return items.flatMap((it) => (it.kind === 'positional' ? [it.value] : []));
}

/**
 * Rebuild pip arguments from parsed items, keeping only options whose role passes `keep`, in
 * canonical `--name=value` form (clusters and prefixes expanded); positionals last, after `--`
 * when one looks like an option.
 */
export function rebuildArgs(items: readonly ParsedItem[], keep: (o: ParsedOption) => boolean, withPositionals: boolean): string[] {
  const out: string[] = [];
  const pos: string[] = [];
  for (const it of items) {
    if (it.kind === 'positional') {
      pos.push(it.value);
      continue;
    }
    if (!keep(it.option)) continue;
    out.push(it.option.spec.takesValue ? `${it.option.spec.name}=${it.option.value}` : it.option.spec.name);
  }
  if (withPositionals && pos.length) {
    if (pos.some((p) => p.startsWith('-'))) out.push('--');
    out.push(...pos);
  }
  return out;
}
