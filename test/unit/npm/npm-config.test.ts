import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNpmConfig } from '../../../src/npm/npm-config.js';

/** The real npm's configuration loader (@npmcli/config) over files and env the test writes. */
describe('loadNpmConfig: the registry, scopes, auth and CA npm itself would use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'safe-npm-config-'));
  const userconfig = join(dir, 'npmrc');
  writeFileSync(userconfig, [
    'registry=http://127.0.0.1:4873/',
    '@acme:registry=http://127.0.0.1:4874/',
    '//127.0.0.1:4874/:_authToken=secret-token',
    'cafile=/etc/ssl/certs/ca-certificates.crt',
    'nodedir=/usr',
  ].join('\n'));
  const env = { npm_config_userconfig: userconfig, npm_config_globalconfig: join(dir, 'none'), HOME: dir, PATH: process.env.PATH };

  it('reads the user npmrc: registry, scoped registry, nerf-darted auth, CA, nodedir', async () => {
    const config = await loadNpmConfig({ realNpm: '/usr/bin/npm', npmArgs: ['install', 'x'], cwd: dir, env });
    expect(config.flat.registry).toBe('http://127.0.0.1:4873/');
    expect(config.flat['@acme:registry']).toBe('http://127.0.0.1:4874/');
    expect(config.flat['//127.0.0.1:4874/:_authToken']).toBe('secret-token');
    expect(String(config.flat.ca ?? '')).toContain('BEGIN CERTIFICATE');
    expect(config.get('nodedir')).toBe('/usr');
    expect(config.userconfigPath).toBe(userconfig);
  });

  it('the command line and npm_config_* win, as in npm', async () => {
    const fromArgs = await loadNpmConfig({ realNpm: '/usr/bin/npm', npmArgs: ['i', '--registry', 'http://127.0.0.1:9999/', 'x'], cwd: dir, env });
    expect(fromArgs.flat.registry).toBe('http://127.0.0.1:9999/');
    const fromEnv = await loadNpmConfig({ realNpm: '/usr/bin/npm', npmArgs: ['i', 'x'], cwd: dir, env: { ...env, npm_config_registry: 'http://127.0.0.1:7777/' } });
    expect(fromEnv.flat.registry).toBe('http://127.0.0.1:7777/');
  });
});

it('loading sets npm_config_* in the environment as npm does (root\'s npm runs as the build user read them), but not node-gyp\'s path: it pointed at ours in everything we started', async () => {
  const home = mkdtempSync(join(tmpdir(), 'safe-npm-config-env-'));
  writeFileSync(join(home, '.npmrc'), 'registry=http://127.0.0.1:4873/\n');
  const env: Record<string, string | undefined> = { HOME: home, PATH: '/usr/bin:/bin' };
  await loadNpmConfig({ realNpm: '/usr/bin/npm', npmArgs: ['install'], cwd: home, env });
  expect(env.npm_config_registry).toBe('http://127.0.0.1:4873/');
  expect(env).not.toHaveProperty('npm_config_node_gyp');
  const given = { HOME: home, PATH: '/usr/bin:/bin', npm_config_node_gyp: '/opt/my-node-gyp.js' };
  await loadNpmConfig({ realNpm: '/usr/bin/npm', npmArgs: ['install'], cwd: home, env: given });
  expect(given.npm_config_node_gyp).toBe('/opt/my-node-gyp.js');
});
