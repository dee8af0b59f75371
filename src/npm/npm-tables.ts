/**
 * npm's own command and flag tables, generated at build time from the real npm by
 * scripts/generate-shim-tables.js into dist/npm-tables.json. Loading is a plain JSON read
 * (no heavy imports): this sits on the passthrough fast path.
 */
import { readFileSync } from 'node:fs';

/** A nopt type: a type definition (`{ def: 'String' }`, 'Boolean', 'Number', 'path', 'url', ...) or a literal value. */
export type NpmTypeElem = { def: string } | string | number | boolean | null;
export type NpmFlagType = NpmTypeElem | NpmTypeElem[];

export interface NpmTables {
  schema: 1;
  /** Version of the npm the tables were generated from, and where it was. */
  npmVersion: string;
  npmDir: string;
  /** Version of npm's bundled @npmcli/config (the flag definitions). */
  configVersion: string;
  generatedAt: string;
  /** npm's lib/utils/cmd-list.js: canonical commands and aliases. */
  commands: string[];
  aliases: Record<string, string>;
  /** Every word npm's deref() accepts (commands, aliases, unique abbreviations) → canonical command. */
  commandMap: Record<string, string>;
  /** Config key → nopt type, from @npmcli/config/lib/definitions. */
  types: Record<string, NpmFlagType>;
  /** nopt's abbrev() of the config keys: unique prefix (and the key itself) → key. */
  abbrevs: Record<string, string>;
  /** Shorthands (`g` → ['--global'], `d` → ['--loglevel', 'info'], ...). */
  shorthands: Record<string, string[]>;
  /** abbrev() of the shorthand names. */
  shortAbbrevs: Record<string, string>;
  /** npm's bin/npx-cli.js argv rewriting: flags without / with a value, and removed ones. */
  npx: { switches: string[]; opts: string[]; removed: string[] };
}

/** dist/npm-tables.json, from both src/npm/ and dist/npm/ (same depth). */
export const NPM_TABLES_URL = new URL('../../dist/npm-tables.json', import.meta.url);

let cached: NpmTables | undefined;

/** Read (once) and return the generated tables; a clear error when the build step has not run. */
export function loadNpmTables(file: URL | string = NPM_TABLES_URL): NpmTables {
  if (cached && file === NPM_TABLES_URL) return cached;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `npm tables missing (${String(file)}): run \`npm run build\` (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  const tables = JSON.parse(text) as NpmTables;
  if (tables.schema !== 1 || !tables.commandMap || !tables.types) {
    throw new Error(`npm tables ${String(file)} have an unknown format: run \`npm run build\``);
  }
  if (file === NPM_TABLES_URL) cached = tables;
  return tables;
}
