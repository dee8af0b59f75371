/**
 * npm's own effective configuration (builtin, global, user, project, env, CLI) through
 * @npmcli/config — the registry, scoped registries, auth and CA settings npm will really use.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export interface NpmConfig {
  /** Flat options as npm passes them to pacote / npm-registry-fetch (registry, @scope:registry, //host/:_authToken, ca...). */
  flat: Record<string, unknown>;
  get(key: string): unknown;
  /** The value comes from npm's defaults, not from the user (npm update treats `save` so). */
  isDefault(key: string): boolean;
  /** Which of npm's config layers set the value: 'cli', 'env', 'project', 'user', 'global', 'builtin', 'default'. */
  whereSet?(key: string): string | undefined;
  /** The project root npm would use (nearest package.json / node_modules upward). */
  localPrefix: string;
  globalPrefix: string;
  /** The user-level npmrc file in effect (may not exist). */
  userconfigPath: string;
}

/** The folder npm is installed in, from the path of its bin (e.g. /usr/bin/npm → /usr/lib/node_modules/npm). */
export function npmRootOf(realNpmBin: string): string {
  const cli = realpathSync(realNpmBin); // …/npm/bin/npm-cli.js
  return dirname(dirname(cli));
}

export async function loadNpmConfig(options: {
  realNpm: string;
  npmArgs: string[];
  cwd: string;
  env: Record<string, string | undefined>;
}): Promise<NpmConfig> {
  const Config = require('@npmcli/config');
  const { definitions, flatten, nerfDarts, shorthands } = require('@npmcli/config/lib/definitions');
  const npmPath = npmRootOf(options.realNpm);
  const config = new Config({
    npmPath,
    definitions,
    flatten,
    nerfDarts,
    shorthands,
    argv: [process.execPath, join(npmPath, 'bin', 'npm-cli.js'), ...options.npmArgs],
    cwd: options.cwd,
    env: options.env,
    execPath: process.execPath,
    // npm's warnings about unknown config are npm's to print, when it runs.
    warn: false,
  });
  const nodeGypBefore = options.env.npm_config_node_gyp;
  await config.load();
  // Loading sets npm_config_* in the environment it is given, as npm does for what it starts: root's
  // npm runs as the build user take their registry and settings from there. node-gyp's path, though,
  // is that of our own copy: what we start (npx's command, npm itself) gets npm's again.
  if (nodeGypBefore === undefined) delete options.env.npm_config_node_gyp;
  else options.env.npm_config_node_gyp = nodeGypBefore;
  return {
    flat: config.flat,
    get: (key: string) => config.get(key),
    isDefault: (key: string) => config.isDefault(key),
    whereSet: (key: string) => config.find(key) ?? undefined,
    localPrefix: config.localPrefix,
    globalPrefix: config.globalPrefix,
    userconfigPath: config.get('userconfig') as string,
  };
}
