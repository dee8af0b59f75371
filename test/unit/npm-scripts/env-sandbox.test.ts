import { describe, expect, it } from 'vitest';
import { buildScriptEnv, buildScriptPath, isSecretName, type Toolchain } from '../../../src/npm/scripts/env.js';
import { bwrapArgs, chooseSandbox } from '../../../src/npm/scripts/sandbox.js';
import { makeCandidate } from './fixture.js';

const toolchain: Toolchain = {
  node: '/usr/bin/node',
  npmCli: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  npxCli: '/usr/lib/node_modules/npm/bin/npx-cli.js',
  nodeGyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  nodeGypBinDir: '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin',
  shimDir: '/tmp/shims',
};

describe('buildScriptEnv', () => {
  const parentEnv = {
    PATH: '/root/.evil/bin:/usr/bin',
    HOME: '/root',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TERM: 'xterm',
    HTTPS_PROXY: 'http://user:hunter2@proxy:3128',
    NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
    NPM_TOKEN: 'npm_secret',
    GITHUB_TOKEN: 'ghp_secret',
    AWS_ACCESS_KEY_ID: 'AKIA',
    AWS_SECRET_ACCESS_KEY: 'sekrit',
    MY_API_KEY: 'k',
    DB_PASSWORD: 'p',
    npm_config__authToken: 'x',
    'npm_config_//registry.npmjs.org/:_authToken': 'y',
    GOOGLE_APPLICATION_CREDENTIALS: '/root/gcp.json',
    AZURE_CLIENT_SECRET: 'z',
    NODE_OPTIONS: '--require /tmp/evil.js',
    LD_PRELOAD: '/tmp/evil.so',
  };
  const c = makeCandidate({ name: 'esbuild', version: '0.25.0', location: 'node_modules/esbuild', path: '/proj/node_modules/esbuild', resolved: 'http://r/esbuild/-/esbuild-0.25.0.tgz', dev: true });
  const env = buildScriptEnv({
    parentEnv,
    user: { name: 'nobody' },
    home: '/var/cache/safe-npm/home',
    tmpDir: '/tmp/priv',
    projectDir: '/proj',
    candidate: c,
    event: 'postinstall',
    script: 'node install.js',
    toolchain,
    npmConfig: { nodedir: '/usr', cache: '/var/cache/safe-npm/npm', extra: { PUPPETEER_SKIP_DOWNLOAD: '1', SOME_TOKEN: 'no' } },
  });

  it('contains no secret and nothing outside the allow-list from the parent env', () => {
    const all = JSON.stringify(env);
    for (const secret of ['npm_secret', 'ghp_secret', 'AKIA', 'sekrit', 'hunter2', '/root', 'evil']) expect(all).not.toContain(secret);
    for (const name of ['NPM_TOKEN', 'GITHUB_TOKEN', 'AWS_ACCESS_KEY_ID', 'MY_API_KEY', 'DB_PASSWORD', 'npm_config__authToken', 'NODE_OPTIONS', 'LD_PRELOAD', 'SOME_TOKEN']) {
      expect(env[name]).toBeUndefined();
    }
  });

  it('carries locale, CA, proxy (without credentials), the build user and npm lifecycle vars', () => {
    expect(env).toMatchObject({
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TERM: 'xterm',
      NODE_EXTRA_CA_CERTS: '/etc/ca.pem',
      HTTPS_PROXY: 'http://proxy:3128',
      HOME: '/var/cache/safe-npm/home',
      USER: 'nobody',
      LOGNAME: 'nobody',
      TMPDIR: '/tmp/priv',
      INIT_CWD: '/proj',
      NODE: '/usr/bin/node',
      npm_command: 'install',
      npm_lifecycle_event: 'postinstall',
      npm_lifecycle_script: 'node install.js',
      npm_package_name: 'esbuild',
      npm_package_version: '0.25.0',
      npm_package_json: '/proj/node_modules/esbuild/package.json',
      npm_package_dev: '1',
      npm_package_optional: '',
      npm_node_execpath: '/usr/bin/node',
      npm_execpath: toolchain.npmCli,
      npm_config_node_gyp: toolchain.nodeGyp,
      npm_config_nodedir: '/usr',
      npm_config_cache: '/var/cache/safe-npm/npm',
      PUPPETEER_SKIP_DOWNLOAD: '1',
    });
  });

  it('classifies secret names', () => {
    for (const n of ['NPM_TOKEN', 'GH_TOKEN', 'CI_JOB_TOKEN', 'X_SECRET', 'AWS_REGION', 'GOOGLE_API_KEY', 'AZURE_TENANT_ID', 'PGPASSWORD', 'npm_config__auth', 'npm_config__password', '//host/:_authToken', 'SSH_AUTH_SOCK']) {
      expect(isSecretName(n), n).toBe(true);
    }
    for (const n of ['LANG', 'LC_CTYPE', 'TERM', 'TZ', 'CI', 'HTTPS_PROXY', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'npm_config_nodedir', 'npm_config_cafile']) {
      expect(isSecretName(n), n).toBe(false);
    }
  });
});

describe('buildScriptPath', () => {
  it('shims first, .bin dirs up to the project root only, node-gyp-bin, then the system PATH', () => {
    expect(buildScriptPath('/home/u/proj/node_modules/a/node_modules/b', '/home/u/proj', toolchain).split(':')).toEqual([
      '/tmp/shims',
      '/home/u/proj/node_modules/a/node_modules/b/node_modules/.bin',
      '/home/u/proj/node_modules/a/node_modules/.bin',
      '/home/u/proj/node_modules/.bin',
      toolchain.nodeGypBinDir,
      '/usr/local/bin',
      '/usr/bin',
      '/bin',
    ]);
  });
});

describe('sandbox', () => {
  it('chooses bwrap, none (with a notice) or refuse', () => {
    expect(chooseSandbox('auto', '/usr/bin/bwrap')).toEqual({ mode: 'bwrap', bwrap: '/usr/bin/bwrap' });
    expect(chooseSandbox('auto', undefined)).toMatchObject({ mode: 'none', notice: expect.stringMatching(/not installed/) });
    expect(chooseSandbox('require', undefined)).toMatchObject({ mode: 'refuse' });
    expect(chooseSandbox('require', '/usr/bin/bwrap', false)).toMatchObject({ mode: 'refuse' });
    expect(chooseSandbox('off', '/usr/bin/bwrap')).toEqual({ mode: 'none' });
  });

  it('unshares everything, network only when granted; writable binds for the package, temp and cache only', () => {
    const args = bwrapArgs({ pkgDir: '/p/node_modules/a', writable: ['/tmp/t', '/cache'], network: false });
    expect(args.slice(0, 1)).toEqual(['--unshare-all']);
    expect(args).not.toContain('--share-net');
    expect(args).toEqual(expect.arrayContaining(['--die-with-parent', '--new-session', '--dev', '/dev', '--proc', '/proc']));
    const binds = args.flatMap((a, i) => (a === '--bind' ? [args[i + 1]] : []));
    expect(binds).toEqual(['/tmp/t', '/cache', '/p/node_modules/a']);
    expect(args.join(' ')).toContain('--ro-bind / /');
    expect(bwrapArgs({ pkgDir: '/p', writable: [], network: true })).toContain('--share-net');
  });
});
