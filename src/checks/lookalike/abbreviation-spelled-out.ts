/**
 * A popular name whose last word is a programmer's abbreviation, with that word spelled out
 * (`fairsequence` for fairseq, `imagelibrary` for imagelib) or the other way round (`pyconf` for
 * pyconfig): the look-alike reads as the same name to anyone who knows what the short form stands
 * for, and no typo rule sees it (five letters added at once).
 *
 * Only the abbreviations below (the common ones of package names), and only at the end of the name,
 * after a core of MIN_CORE_LENGTH letters or more (`seq` alone is a word of its own). A warning: a
 * spelled-out name can be a project of its own.
 */

/** Abbreviation → the word it stands for. */
const SPELLED_OUT: Readonly<Record<string, string>> = {
  seq: 'sequence',
  lib: 'library',
  img: 'image',
  cfg: 'config',
  conf: 'config',
  util: 'utility',
  utils: 'utilities',
  msg: 'message',
  fmt: 'format',
  env: 'environment',
  gen: 'generator',
  mgr: 'manager',
  pkg: 'package',
  repo: 'repository',
  calc: 'calculator',
  auth: 'authentication',
  doc: 'document',
  docs: 'documentation',
  spec: 'specification',
  ext: 'extension',
  num: 'number',
  str: 'string',
  db: 'database',
  btn: 'button',
  nav: 'navigation',
  info: 'information',
};

/** The shortest part of the name before the abbreviation. */
export const MIN_CORE_LENGTH = 4;

/** The names (without separators) `stripped` would be with its last word abbreviated or spelled out. */
export function otherSpellings(stripped: string): string[] {
  const out: string[] = [];
  for (const [short, long] of Object.entries(SPELLED_OUT)) {
    if (stripped.endsWith(long) && stripped.length - long.length >= MIN_CORE_LENGTH) out.push(stripped.slice(0, -long.length) + short);
    if (stripped.endsWith(short) && stripped.length - short.length >= MIN_CORE_LENGTH) out.push(stripped.slice(0, -short.length) + long);
  }
  return out;
}
