/**
 * argv → expected parse, one line per case. Shared by parse-npm-args.test.ts and the shim
 * routing test (test/integration/shims.test.ts), which checks the shell shim agrees.
 */
import type { NpmCommandKind, NpmSpecRequest, OwnFlags } from '../../../src/npm/npm-invocation.js';

export interface Expect {
  command?: string;
  specs?: Array<string | Partial<NpmSpecRequest>>;
  positionals?: string[];
  global?: boolean;
  workspaces?: string[] | boolean;
  npmArgs?: string[];
  cliConfig?: Record<string, unknown>;
  ownFlags?: Partial<OwnFlags>;
  exec?: { packages?: string[]; command?: string; args?: string[] };
  ignored?: string[];
  env?: Record<string, string>;
  /** Part of the UsageError message. */
  error?: string;
}

export type Case = [argv: string[], kind: NpmCommandKind | 'usage-error', expect?: Expect];

export const cases: Case[] = [
  // --- install and every alias / misspelling / abbreviation npm accepts
  [['install', 'foo'], 'install', { command: 'install', specs: ['foo'] }],
  [['i', 'foo'], 'install', { command: 'install', specs: ['foo'] }],
  [['add', 'foo'], 'install', { command: 'install', specs: ['foo'] }],
  [['in', 'foo'], 'install', { command: 'install' }],
  [['ins', 'foo'], 'install', { command: 'install' }],
  [['inst', 'foo'], 'install', { command: 'install' }],
  [['insta', 'foo'], 'install', { command: 'install' }],
  [['instal', 'foo'], 'install', { command: 'install' }],
  [['isnt', 'foo'], 'install', { command: 'install' }],
  [['isnta', 'foo'], 'install', { command: 'install' }],
  [['isntal', 'foo'], 'install', { command: 'install' }],
  [['isntall', 'foo'], 'install', { command: 'install' }],
  [['install'], 'install', { command: 'install', specs: [] }],
  [['i'], 'install', { specs: [] }],
  // --- ci
  [['ci'], 'ci', { command: 'ci' }],
  [['clean-install'], 'ci', { command: 'ci' }],
  [['ic'], 'ci', { command: 'ci' }],
  [['install-clean'], 'ci', { command: 'ci' }],
  [['isntall-clean'], 'ci', { command: 'ci' }],
  [['install-cl'], 'ci', { command: 'ci' }], // abbrev → install-clean → ci
  // --- update
  [['update'], 'update', { command: 'update' }],
  [['up', 'foo'], 'update', { specs: ['foo'] }],
  [['upgrade'], 'update'],
  [['u'], 'update'],
  [['udpate'], 'update'],
  [['upd'], 'update'], // abbreviation
  // --- install-test, install-ci-test
  [['install-test'], 'install-test', { command: 'install-test' }],
  [['it', 'foo'], 'install-test', { specs: ['foo'] }],
  [['installTest'], 'install-test', { command: 'install-test' }], // camelCase → kebab
  [['install-ci-test'], 'install-ci-test', { command: 'install-ci-test' }],
  [['cit'], 'install-ci-test'],
  [['sit'], 'install-ci-test'],
  [['clean-install-test'], 'install-ci-test'],
  // --- rebuild, audit fix, dedupe, link
  [['rebuild'], 'rebuild', { command: 'rebuild' }],
  [['rb', 'foo'], 'rebuild', { specs: ['foo'] }],
  [['audit', 'fix'], 'audit-fix', { command: 'audit', positionals: ['fix'] }],
  [['audit', '--json', 'fix', '--force'], 'audit-fix', { positionals: ['fix'] }],
  [['audit'], 'passthrough', { command: 'audit' }],
  [['audit', 'signatures'], 'passthrough'],
  [['dedupe'], 'dedupe', { command: 'dedupe' }],
  [['ddp'], 'dedupe'],
  [['link'], 'link', { command: 'link', specs: [] }],
  [['ln', '../lib'], 'link', { specs: [{ type: 'directory', fromRegistry: false }] }],
  [['link', 'foo'], 'link', { specs: [{ name: 'foo', fromRegistry: true }] }],
  // --- flags before / after the command, value-taking flags from npm's definitions
  [['i', '--registry', 'http://x', 'foo'], 'install', { specs: ['foo'], cliConfig: { registry: 'http://x' } }],
  [['--registry', 'http://x', 'i', 'foo'], 'install', { specs: ['foo'] }],
  [['--registry=http://x', 'i', 'foo'], 'install', { specs: ['foo'], cliConfig: { registry: 'http://x' } }],
  [['--prefix', '/tmp', 'i', 'foo'], 'install', { specs: ['foo'], cliConfig: { prefix: '/tmp' } }],
  [['-C', '/tmp', 'i', 'foo'], 'install', { specs: ['foo'], cliConfig: { prefix: '/tmp' } }],
  [['--reg', 'http://x', 'i', 'foo'], 'install', { specs: ['foo'], cliConfig: { registry: 'http://x' } }], // shorthand
  [['--regi', 'http://x', 'i', 'foo'], 'install', { specs: ['foo'], cliConfig: { registry: 'http://x' } }], // abbreviation
  [['--userconfig', '/tmp/rc', '--cache', '/tmp/c', 'i'], 'install', { cliConfig: { userconfig: '/tmp/rc', cache: '/tmp/c' } }],
  [['--@scope:registry=http://r', 'i', '@scope/x'], 'install', { cliConfig: { '@scope:registry': 'http://r' } }],
  [['--loglevel', 'silly', 'run', 'build'], 'passthrough', { command: 'run' }],
  [['--registry', 'install', 'run'], 'passthrough', { command: 'run' }], // `install` is the registry value
  [['-d', 'i', 'foo'], 'install', { specs: ['foo'], cliConfig: { loglevel: 'info' } }], // -d → --loglevel info
  [['--message', '-x', 'i'], 'install', { specs: [] }], // String flags do not eat flags
  [['--tag', 'beta', 'i', 'foo'], 'install', { specs: [{ raw: 'foo', fetchSpec: 'beta' }] }],
  [['i', 'foo', '--save-dev'], 'install', { specs: ['foo'], cliConfig: { 'save-dev': true } }],
  [['-D', 'i', 'foo'], 'install', { specs: ['foo'], cliConfig: { 'save-dev': true } }],
  [['i', '-gDE', 'foo'], 'install', { specs: ['foo'], global: true, cliConfig: { 'save-dev': true, 'save-exact': true } }],
  [['i', '-y', 'foo'], 'install', { specs: ['foo'], cliConfig: { yes: true } }],
  // Boolean flags followed by a literal true/false consume it
  [['i', '--save', 'false', 'foo'], 'install', { specs: ['foo'], cliConfig: { save: false } }],
  [['i', '--save-exact', 'true', 'foo'], 'install', { specs: ['foo'] }],
  [['--global', 'false', 'i', 'foo'], 'install', { specs: ['foo'], global: false }],
  [['i', '--save=foo'], 'install', { specs: ['foo'] }], // nopt: a Boolean's =value that is not true/false is a positional
  [['i', '--color', 'always', 'foo'], 'install', { specs: ['foo'] }],
  [['i', '--yes', 'null', 'foo'], 'install', { specs: ['foo'] }],
  // -g, --global, --location
  [['-g', 'i', 'foo'], 'install', { global: true, specs: ['foo'] }],
  [['i', '--global', 'foo'], 'install', { global: true }],
  [['i', '--location=global', 'foo'], 'install', { global: true }],
  [['i', '--location', 'project', 'foo'], 'install', { global: false, specs: ['foo'] }],
  [['i', '-g', '--local', 'foo'], 'install', { global: false }],
  // `--`
  [['i', '--', 'foo'], 'install', { specs: ['foo'] }],
  [['--', 'install', 'foo'], 'install', { specs: ['foo'] }],
  [['run', 'build', '--', '--force'], 'passthrough', { npmArgs: ['run', 'build', '--', '--force'] }],
  [['i', '--', '--foo'], 'install', { specs: ['--foo'] }], // after --, even --foo is a spec
  // workspaces
  [['i', '-w', 'a', 'foo'], 'install', { specs: ['foo'], workspaces: ['a'] }],
  [['i', '--workspace', 'a', '--workspace=b'], 'install', { specs: [], workspaces: ['a', 'b'] }],
  [['-ws', 'ci'], 'ci', { workspaces: true }],
  [['ci', '--workspaces'], 'ci', { workspaces: true }],
  [['--ws', 'update'], 'update', { workspaces: true }],
  [['i', '--workspaces', 'false'], 'install', { workspaces: false, specs: [] }],
  [['run', 'build', '-ws'], 'passthrough', { workspaces: true }],
  [['i', 'foo'], 'install', { workspaces: false }],
  // spec forms (npm-package-arg)
  [['i', 'foo@1.2.3'], 'install', { specs: [{ type: 'version', name: 'foo', registryName: 'foo', fetchSpec: '1.2.3', fromRegistry: true }] }],
  [['i', 'foo@^1'], 'install', { specs: [{ type: 'range', fetchSpec: '^1' }] }],
  [['i', 'foo@beta'], 'install', { specs: [{ type: 'tag', fetchSpec: 'beta' }] }],
  [['i', 'foo'], 'install', { specs: [{ type: 'range', name: 'foo', fetchSpec: 'latest', fromRegistry: true }] }],
  [['i', '@scope/pkg@2'], 'install', { specs: [{ name: '@scope/pkg', fetchSpec: '2' }] }],
  [['i', 'a@npm:b@1'], 'install', { specs: [{ type: 'alias', name: 'a', registryName: 'b', fetchSpec: '1', fromRegistry: true }] }],
  [['i', 'a@npm:@s/b'], 'install', { specs: [{ type: 'alias', name: 'a', registryName: '@s/b', fetchSpec: 'latest' }] }],
  [['i', 'user/repo'], 'install', { specs: [{ type: 'git', fromRegistry: false, fetchSpec: 'https://github.com/user/repo.git' }] }],
  [['i', 'github:user/repo#v1'], 'install', { specs: [{ type: 'git', fromRegistry: false }] }],
  [['i', 'git+https://example.com/a.git'], 'install', { specs: [{ type: 'git', fetchSpec: 'https://example.com/a.git' }] }],
  [['i', 'https://example.com/a.tgz'], 'install', { specs: [{ type: 'remote', fromRegistry: false }] }],
  [['i', './lib'], 'install', { specs: [{ type: 'directory', fetchSpec: '/work/proj/lib' }] }],
  [['i', '../pkg.tgz'], 'install', { specs: [{ type: 'file', fetchSpec: '/work/pkg.tgz' }] }],
  [['i', 'file:x'], 'install', { specs: [{ type: 'directory', fromRegistry: false }] }],
  [['i', 'foo', 'bar@2', 'user/repo'], 'install', { specs: ['foo', 'bar@2', 'user/repo'] }],
  // empty / invalid specs
  [['install', ' '], 'usage-error', { error: 'empty package spec' }],
  [['i', ''], 'usage-error', { error: 'empty package spec' }],
  [['i', 'foo bar'], 'usage-error', { error: 'Invalid tag name' }],
  [['i', 'a@npm:b@npm:c'], 'usage-error', { error: 'nested aliases' }],
  [['i', '--save='], 'usage-error', { error: 'empty package spec' }], // nopt: '' becomes a positional
  // own flags + env equivalents: never forwarded
  [['i', 'foo', '--safe-yes'], 'install', { ownFlags: { yes: true }, npmArgs: ['i', 'foo'] }],
  [['--safe-strict-scripts', 'i', 'foo'], 'install', { ownFlags: { strictScripts: true }, npmArgs: ['i', 'foo'] }],
  [['i', '--safe-project', 'foo'], 'install', { ownFlags: { project: true }, npmArgs: ['i', 'foo'], specs: ['foo'] }],
  [['i', '--safe-yes=false', 'foo'], 'install', { ownFlags: { yes: false }, env: { SAFE_NPM_YES: '1' } }],
  [['i', 'foo'], 'install', { ownFlags: { yes: true, strictScripts: true }, env: { SAFE_NPM_YES: '1', SAFE_NPM_STRICT_SCRIPTS: '1' } }],
  [['i', 'foo'], 'install', { ownFlags: { yes: false }, env: { SAFE_NPM_YES: '0' } }],
  [['run', 'build', '--safe-yes'], 'passthrough', { npmArgs: ['run', 'build'] }],
  [['run', 'x', '--', '--safe-yes'], 'passthrough', { npmArgs: ['run', 'x', '--', '--safe-yes'] }],
  [['i', '--safe-nope'], 'usage-error', { error: 'unknown option --safe-nope' }],
  [['i', '--safe-yes=maybe'], 'usage-error', { error: '--safe-yes' }],
  // --ignore-scripts=false and friends never turn scripts back on
  [['i', 'foo', '--ignore-scripts=false'], 'install', { npmArgs: ['i', 'foo', '--ignore-scripts=true'], ignored: ['--ignore-scripts=false'] }],
  [['i', '--no-ignore-scripts', 'foo'], 'install', { npmArgs: ['i', '--ignore-scripts', 'foo'], ignored: ['--no-ignore-scripts'], specs: ['foo'] }],
  [['i', '--ignore-scripts', 'false', 'foo'], 'install', { npmArgs: ['i', '--ignore-scripts', 'true', 'foo'], ignored: ['--ignore-scripts', 'false'], specs: ['foo'] }],
  // rewritten in place, not removed: npm reads the neighbours as typed (found by the fuzzing)
  [['--tag', '--ignore-scripts=false', 'install', 'foo'], 'install', { npmArgs: ['--tag', '--ignore-scripts=true', 'install', 'foo'], ignored: ['--ignore-scripts=false'], specs: ['foo'] }],
  [['i', '--ignore-scr=false', 'foo'], 'install', { npmArgs: ['i', '--ignore-scripts=true', 'foo'], ignored: ['--ignore-scr=false'] }],
  [['ci', '--ignore-scripts'], 'ci', { npmArgs: ['ci', '--ignore-scripts'], ignored: [] }],
  [['run', 'x', '--ignore-scripts=false'], 'passthrough', { npmArgs: ['run', 'x', '--ignore-scripts=false'] }],
  // exec / npx
  [['exec', 'cowsay', 'hi'], 'exec', { command: 'exec', exec: { packages: ['cowsay'], command: undefined, args: ['hi'] } }],
  [['x', 'cowsay'], 'exec', { exec: { packages: ['cowsay'], args: [] } }],
  [['exec', '--', 'pkg@1', 'a', '--b'], 'exec', { exec: { packages: ['pkg@1'], args: ['a', '--b'] }, specs: ['pkg@1'] }],
  [['exec', '--package=pkg', '--', 'cmd', 'x'], 'exec', { exec: { packages: ['pkg'], command: 'cmd', args: ['x'] } }],
  [['exec', '--package', 'a', '--package', 'b@2', '--', 'cmd'], 'exec', { exec: { packages: ['a', 'b@2'], command: 'cmd' } }],
  [['x', '-c', 'echo hi'], 'exec', { exec: { packages: [], command: 'echo hi', args: [] } }],
  [['x', '--package', 'cowsay', '-c', 'cowsay hi'], 'exec', { exec: { packages: ['cowsay'], command: 'cowsay hi' } }],
  [['--safe-npx', 'cowsay', 'hi'], 'exec', { npmArgs: ['exec', '--', 'cowsay', 'hi'], exec: { packages: ['cowsay'], args: ['hi'] } }],
  [['--safe-npx', '-p', 'pkg', 'cmd', 'a'], 'exec', { npmArgs: ['exec', '--package', 'pkg', '--', 'cmd', 'a'], exec: { packages: ['pkg'], command: 'cmd', args: ['a'] } }],
  [['--safe-npx', '--package=pkg', '--', 'cmd'], 'exec', { exec: { packages: ['pkg'], command: 'cmd', args: [] } }],
  [['--safe-npx', '-y', 'create-x@1', '--flag'], 'exec', { exec: { packages: ['create-x@1'], args: ['--flag'] }, cliConfig: { yes: true } }],
  [['--safe-npx', '--safe-yes', 'foo', '--safe-yes'], 'exec', { ownFlags: { yes: true }, exec: { packages: ['foo'], args: ['--safe-yes'] } }],
  [['--safe-npx', '-c', 'echo hi'], 'exec', { exec: { packages: [], command: 'echo hi' } }],
  [['--safe-npx', '--registry', 'http://r', 'foo'], 'exec', { cliConfig: { registry: 'http://r' }, exec: { packages: ['foo'] } }],
  [['--safe-npx', '--version'], 'passthrough', { npmArgs: ['exec', '--version'] }],
  [['i', '--safe-npx'], 'usage-error', { error: '--safe-npx' }],
  // init <initializer> → create-<initializer>
  [['init', 'foo'], 'init', { command: 'init', exec: { packages: ['create-foo'], args: [] } }],
  [['init', 'foo@1', 'my-app'], 'init', { exec: { packages: ['create-foo@1'], args: ['my-app'] } }],
  [['init', '@scope'], 'init', { exec: { packages: ['@scope/create'] } }],
  [['init', '@scope@2'], 'init', { exec: { packages: ['@scope/create@2'] } }],
  [['init', '@scope/foo'], 'init', { exec: { packages: ['@scope/create-foo'] } }],
  [['create', 'vite@latest', 'app', '--', '--template', 'react'], 'init', { exec: { packages: ['create-vite@latest'], args: ['app', '--template', 'react'] } }],
  [['innit', 'foo'], 'init', { exec: { packages: ['create-foo'] } }],
  [['init', 'user/repo'], 'init', { exec: { packages: ['user/create-repo'] } }],
  [['init', './local'], 'usage-error', { error: 'Unrecognized initializer' }],
  [['init'], 'passthrough', { command: 'init' }],
  [['init', '-y'], 'passthrough'],
  [['init', '--yes'], 'passthrough'],
  // our own subcommands
  [['safe', 'check', 'x'], 'safe', { positionals: ['check', 'x'] }],
  [['safe', 'check', 'x', '--json'], 'safe', { positionals: ['check', 'x', '--json'] }],
  [['safe'], 'safe', { positionals: [] }],
  // uninstall / prune rebuild the tree: missing packages get installed (scripts off, non-root)
  [['uninstall', 'foo'], 'reify', { command: 'uninstall' }],
  [['rm', 'foo'], 'reify', { command: 'uninstall' }],
  [['un', 'foo'], 'reify', { command: 'uninstall' }],
  [['remove', 'foo'], 'reify', { command: 'uninstall' }],
  [['prune'], 'reify', { command: 'prune' }],
  [['prune', '--omit=dev'], 'reify', { command: 'prune' }],
  // passthrough: nothing installed, nothing from the registry runs
  [[], 'passthrough', { command: undefined }],
  [['--version'], 'passthrough'],
  [['-v'], 'passthrough'],
  [['-h'], 'passthrough'],
  [['--help'], 'passthrough'],
  [['run', 'build'], 'passthrough', { command: 'run', npmArgs: ['run', 'build'] }],
  [['run-script', 'test'], 'passthrough', { command: 'run' }],
  [['test'], 'passthrough', { command: 'test' }],
  [['t'], 'passthrough', { command: 'test' }],
  [['start'], 'passthrough'],
  [['config', 'get', 'registry'], 'passthrough', { command: 'config' }],
  [['ls'], 'passthrough', { command: 'ls' }],
  [['ll'], 'passthrough', { command: 'll' }],
  [['help', 'install'], 'passthrough', { command: 'help' }],
  [['view', 'foo'], 'passthrough', { command: 'view' }],
  [['info', 'foo'], 'passthrough', { command: 'view' }],
  [['outdated'], 'passthrough'],
  [['pack'], 'passthrough'],
  [['publish'], 'passthrough'],
  [['whoami'], 'passthrough'],
  [['explain', 'foo'], 'passthrough'],
  [['find-dupes'], 'passthrough', { command: 'find-dupes' }],
  [['install-scripts', 'ls'], 'passthrough', { command: 'install-scripts' }],
  [['unknown-command'], 'passthrough', { command: undefined }],
  // npm answers --version / --usage itself, before running the command
  [['i', 'foo', '-v'], 'passthrough', { command: 'install' }],
  [['install', '--help'], 'passthrough', { command: 'install' }],
  [['i', 'foo', '--version', 'false'], 'install', { specs: ['foo'] }],
];
