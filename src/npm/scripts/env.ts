import { posix } from 'node:path';
import type { ScriptCandidate, ScriptEvent } from './types.js';

/**
 * The environment of a replayed install script, built explicitly from an allow-list: the parent
 * environment is never passed through, and nothing that looks like a secret survives.
 */

/** Parent variables copied as-is when present (locale, terminal, proxy, CA). */
const PASSTHROUGH = new Set([
  'LANG', 'LANGUAGE', 'TERM', 'TZ', 'CI', 'COLORTERM', 'NO_COLOR', 'FORCE_COLOR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'ALL_PROXY', 'all_proxy',
  'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO',
]);

/** True for names that must never reach a script (tokens, keys, passwords, cloud credentials, npm auth). */
export function isSecretName(name: string): boolean {
  const n = name.toUpperCase();
  if (/(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|PASS|KEY|APIKEY|API_KEY|CREDENTIALS?|AUTH|SESSION|COOKIE|PRIVATE)(_|$)/.test(n)) return true;
  if (/TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/.test(n)) return true;
  if (/^(AWS|GOOGLE|GCP|GCLOUD|AZURE|ARM|GITHUB|GH|GITLAB|CI_JOB|NPM|NODE_AUTH|DOCKER|HEROKU|DIGITALOCEAN|CLOUDFLARE|VAULT|SSH)_/.test(n) && !/^NPM_CONFIG_/.test(n)) return true;
  if (/^NPM_CONFIG_(_|\/\/)/.test(n) || /^NPM_CONFIG_.*(AUTH|TOKEN|PASSWORD|CERTFILE|KEYFILE|KEY)$/.test(n)) return true;
  if (name.includes('//') || /:_/.test(name)) return true; // //host/:_authToken and friends
  return false;
}

/** A proxy URL with credentials (http://user:pass@host) is a secret too: drop the userinfo. */
function stripUserinfo(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

/** The invoking user's npm settings a build may need (never auth). */
export interface NpmBuildConfig {
  /** Node headers/sources for node-gyp (root's ~/.npmrc: nodedir=/usr). */
  nodedir?: string;
  python?: string;
  cafile?: string;
  userAgent?: string;
  /** npm cache for the build user (npm_config_cache). */
  cache?: string;
  /** node-gyp's devdir (headers download/cache). */
  devdir?: string;
  /** Other non-secret knobs the user approved (e.g. PUPPETEER_SKIP_DOWNLOAD): secrets are dropped. */
  extra?: Record<string, string>;
}

/** Absolute paths of the trusted toolchain. */
export interface Toolchain {
  /** Absolute node binary (npm_node_execpath, NODE). */
  node: string;
  /** npm's bin/npm-cli.js (npm_execpath). */
  npmCli: string;
  /** npm's bin/npx-cli.js. */
  npxCli: string;
  /** node-gyp's bin/node-gyp.js (npm_config_node_gyp). */
  nodeGyp: string;
  /** @npmcli/run-script/lib/node-gyp-bin. */
  nodeGypBinDir: string;
  /** Folder with `node`, `npm`, `npx`, `node-gyp` -> the binaries above (createShimDir). */
  shimDir: string;
}

export interface ScriptEnvInput {
  /** The invoking process's environment: only allow-listed names are read from it. */
  parentEnv: Record<string, string | undefined>;
  user: { name: string };
  /** HOME for the build user (a writable cache home when the real one is unusable). */
  home: string;
  /** Private temp dir of this script. */
  tmpDir: string;
  projectDir: string;
  candidate: ScriptCandidate;
  event: ScriptEvent;
  script: string;
  toolchain: Toolchain;
  npmConfig?: NpmBuildConfig;
  /** System PATH after the trusted parts. */
  systemPath?: string;
}

export const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * PATH: the trusted shim dir, then `<pkg>/node_modules/.bin` and each ancestor's
 * `node_modules/.bin` up to the project root (never above it), then npm's node-gyp-bin, then a
 * sanitized system PATH.
 */
export function buildScriptPath(pkgDir: string, projectDir: string, toolchain: Pick<Toolchain, 'shimDir' | 'nodeGypBinDir'>, systemPath = SYSTEM_PATH): string {
  const parts = [toolchain.shimDir];
  const root = posix.resolve(projectDir);
  let dir = posix.resolve(pkgDir);
  const inside = dir === root || dir.startsWith(`${root}/`);
  if (inside) {
    for (;;) {
      if (posix.basename(dir) !== 'node_modules') parts.push(posix.join(dir, 'node_modules', '.bin'));
      if (dir === root) break;
      dir = posix.dirname(dir);
    }
  } else {
    // A linked folder outside the project: its own .bin, then the project's.
    parts.push(posix.join(dir, 'node_modules', '.bin'), posix.join(root, 'node_modules', '.bin'));
  }
  parts.push(toolchain.nodeGypBinDir, systemPath);
  return parts.join(':');
}

/** The complete environment for one script. Never derived from the parent env but for the allow-list. */
export function buildScriptEnv(input: ScriptEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.parentEnv)) {
    if (v === undefined || isSecretName(k)) continue;
    if (PASSTHROUGH.has(k) || k.startsWith('LC_')) env[k] = /proxy/i.test(k) ? stripUserinfo(v) : v;
  }
  const c = input.candidate;
  const cfg = input.npmConfig ?? {};
  const tc = input.toolchain;
  Object.assign(env, {
    HOME: input.home,
    USER: input.user.name,
    LOGNAME: input.user.name,
    TMPDIR: input.tmpDir,
    TMP: input.tmpDir,
    TEMP: input.tmpDir,
    PATH: buildScriptPath(c.path, input.projectDir, tc, input.systemPath),
    SHELL: '/bin/sh',
    NODE: tc.node,
    INIT_CWD: input.projectDir,
    npm_command: 'install',
    npm_lifecycle_event: input.event,
    npm_lifecycle_script: input.script,
    npm_package_name: c.name,
    npm_package_version: c.version,
    npm_package_json: posix.join(c.path, 'package.json'),
    npm_package_optional: c.optional ? '1' : '',
    npm_package_dev: c.dev ? '1' : '',
    npm_package_peer: c.peer ? '1' : '',
    npm_package_dev_optional: c.devOptional ? '1' : '',
    npm_node_execpath: tc.node,
    npm_execpath: tc.npmCli,
    npm_config_node_gyp: tc.nodeGyp,
    npm_config_local_prefix: input.projectDir,
    npm_config_user_agent: cfg.userAgent ?? 'npm (safe-npm replay)',
    npm_config_ignore_scripts: 'true', // a nested `npm install` in a script must not run scripts
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  });
  if (c.resolved) env.npm_package_resolved = c.resolved;
  if (c.integrity) env.npm_package_integrity = c.integrity;
  if (cfg.nodedir) env.npm_config_nodedir = cfg.nodedir;
  if (cfg.python) env.npm_config_python = cfg.python;
  if (cfg.cafile) env.npm_config_cafile = cfg.cafile;
  if (cfg.cache) env.npm_config_cache = cfg.cache;
  if (cfg.devdir) env.npm_config_devdir = cfg.devdir;
  for (const [k, v] of Object.entries(cfg.extra ?? {})) {
    if (!isSecretName(k) && !(k in env)) env[k] = v;
  }
  return env;
}
