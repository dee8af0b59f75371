/** When `npm uninstall` / `npm prune` may be npm's own command in our process (a user in their own project). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removesInPlace } from '../../../src/cli/npm-remove-in-place.js';
import { JOURNAL } from '../../../src/npm/commit-project.js';
import { loadNpmTables } from '../../../src/npm/npm-tables.js';
import { parseNpmArgs } from '../../../src/npm/parse-npm-args.js';

const tables = loadNpmTables();
const USER = 1000;

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'remove-in-place-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p","version":"1.0.0"}\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function decide(argv: string[], cwd: string, env: Record<string, string> = {}, euid = USER) {
  return removesInPlace(parseNpmArgs(argv, env, tables, { cwd }), cwd, env, euid);
}

describe('uninstall / prune in place', () => {
  it('applies to a user\'s uninstall and prune in their own project (the project folder is what gets locked)', () => {
    const dir = project();
    expect(decide(['uninstall', 'lodash'], dir)).toBe(dir);
    expect(decide(['rm', 'lodash', '--no-save'], dir)).toBe(dir);
    expect(decide(['prune'], dir)).toBe(dir);
    const sub = join(dir, 'src');
    mkdirSync(sub);
    expect(decide(['uninstall', 'lodash'], sub)).toBe(dir);
  });

  it('does not apply to root, installs, -g, workspaces, --prefix, a project inside another, or a commit journal to repair', () => {
    const dir = project();
    expect(decide(['uninstall', 'lodash'], dir, {}, 0)).toBeUndefined();
    expect(decide(['install', 'lodash'], dir)).toBeUndefined();
    expect(decide(['uninstall', '-g', 'lodash'], dir)).toBeUndefined();
    expect(decide(['uninstall', 'lodash', '-w', 'a'], dir)).toBeUndefined();
    expect(decide(['uninstall', 'lodash', '--prefix', dir], dir)).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { npm_config_prefix: dir })).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { npm_config_global: 'true' }), '-g from the environment').toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { NPM_CONFIG_LOCATION: 'global' })).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { Npm_Config_Global: 'TRUE' }), 'any case, as npm reads it').toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { NPM_CONFIG_PREFIX: dir })).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { npm_config_global: 'false', npm_config_location: 'user' })).toBe(dir);
    const inner = join(dir, 'packages', 'a');
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(inner, 'package.json'), '{"name":"a","version":"1.0.0"}\n');
    expect(decide(['uninstall', 'lodash'], inner)).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], project({ [JOURNAL]: '{}' }))).toBeUndefined();
  });
});
