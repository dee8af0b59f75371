/**
 * A real Verdaccio (child process, its own CLI) on 127.0.0.1 with fixture packages whose publish
 * times, deprecation and tarballs the tests control.
 *
 * How fixtures get in: the helper writes them straight into Verdaccio's local storage in the
 * format @verdaccio/local-storage uses (`<storage>/<name>/package.json` = the full packument with
 * `time`, `_attachments`..., and `<storage>/<name>/<basename>-<version>.tgz`), BEFORE Verdaccio
 * starts. Verdaccio reads a local package's package.json and tarball from disk on every request
 * (no in-memory cache), so `publish`, `setTimes`, `deprecate` and `replaceTarball` rewrite the
 * files while it runs (atomic rename) and the next request sees the change.
 *
 * No uplinks: nothing is ever proxied. Publishing with a real `npm publish` also works: `$all` may
 * publish, and an htpasswd user exists so npm has credentials to send (`server.authNpmrcLines`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, openSync, closeSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { create as tarCreate } from 'tar';
import { afterAll } from 'vitest';
import { removeOnExit } from './projects.js';

export interface FixturePackage {
  name: string;
  version: string;
  /** Extra package.json fields (scripts, dependencies, description, repository, bin, gypfile...).
   *  They go into the tarball's package.json AND into the packument's `versions[version]`. Nothing is
   *  derived for you (npm publish would add `gypfile`/`scripts.install` for a binding.gyp: pass them). */
  packageJson?: Record<string, unknown>;
  /** Files of the tarball, relative to `package/`. A `package.json` here replaces the generated one in
   *  the tarball only (the packument still uses name/version/packageJson): manifest confusion. */
  files?: Record<string, string | Buffer>;
  /** time[version]. Default: DEFAULT_PUBLISHED_AGO_DAYS (730) days before now. */
  publishedAt?: Date;
  /** Written as `versions[version].deprecated`. */
  deprecated?: string;
  /** Extra `dist` fields of the version in the packument (e.g. `attestations`, which npm adds for provenance). */
  dist?: Record<string, unknown>;
  /** Extra dist-tags pointing at this version (`latest` is the highest non-prerelease version unless set here). */
  distTags?: string[];
}

export const DEFAULT_PUBLISHED_AGO_DAYS = 730;

export interface TarballInfo {
  integrity: string;
  shasum: string;
  /** Absolute path of the .tgz in Verdaccio's storage. */
  path: string;
}

/** The stored packument (Verdaccio's local-storage document); loosely typed on purpose. */
export interface StoredPackument {
  name: string;
  versions: Record<string, Record<string, any>>;
  time: Record<string, string>;
  'dist-tags': Record<string, string>;
  _attachments: Record<string, { shasum: string; version: string }>;
  [key: string]: any;
}

export interface VerdaccioServer {
  /** Registry URL, with a trailing slash: `http://127.0.0.1:PORT/`. */
  url: string;
  port: number;
  /** Verdaccio's storage folder (packuments + tarballs). Readable by everyone. */
  storage: string;
  /** The temp folder holding config.yaml, htpasswd, storage and verdaccio.log. Removed by stop(). */
  root: string;
  /** htpasswd user that may publish (basic auth). */
  user: { name: string; password: string };
  /** `.npmrc` lines that let a real `npm publish` authenticate against this registry. */
  authNpmrcLines: string[];
  /** Stop Verdaccio and remove its temp folder (pass { keepFiles: true } to keep it). Idempotent. */
  stop(opts?: { keepFiles?: boolean }): Promise<void>;
  /** Add (or overwrite) a version, while running. Same rules as the startup fixtures. */
  publish(pkg: FixturePackage): Promise<TarballInfo>;
  /** Merge into `time` (keys: 'created', 'modified' or a version). */
  setTimes(name: string, times: Record<string, Date>): Promise<void>;
  /** Set (string) or clear (undefined) `versions[version].deprecated`. */
  deprecate(name: string, version: string, message: string | undefined): Promise<void>;
  /**
   * Re-publish `name@version` with a different tarball: rewrites the .tgz and (unless keepDist)
   * `dist.integrity`/`dist.shasum`/`_attachments` in the packument. With keepDist: true the
   * packument keeps the OLD integrity (a swapped tarball that no longer matches its metadata).
   */
  replaceTarball(
    name: string,
    version: string,
    files: Record<string, string | Buffer>,
    opts?: { keepDist?: boolean; packageJson?: Record<string, unknown> },
  ): Promise<TarballInfo>;
  /** The stored packument as Verdaccio will serve it (before its own URL rewriting). */
  readPackument(name: string): Promise<StoredPackument>;
  /** Last lines of Verdaccio's log (for failure messages). */
  readLog(): Promise<string>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const verdaccioCli = join(repoRoot, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
const FIXED_MTIME = new Date('1985-10-26T08:15:00.000Z'); // what npm pack uses: reproducible tarballs
const DAY = 24 * 60 * 60 * 1000;

// Kill any Verdaccio a test file forgot to stop: after that file (vitest hook) and at process exit.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}
try {
  afterAll(() => {
    for (const child of liveChildren) child.kill('SIGKILL');
    liveChildren.clear();
  });
} catch {
  // imported outside a vitest collection
}

export async function startVerdaccio(opts: { packages?: FixturePackage[] } = {}): Promise<VerdaccioServer> {
  const root = await mkdtemp(join(tmpdir(), 'safe-npm-verdaccio-'));
  await chmod(root, 0o755);
  removeOnExit(root);
  const storage = join(root, 'storage');
  await mkdir(storage, { mode: 0o755 });
  await mkdir(join(root, 'plugins'), { mode: 0o755 });
  await chmod(storage, 0o755);

  const user = { name: 'fixture-publisher', password: randomBytes(12).toString('hex') };
  const sha = createHash('sha1').update(user.password, 'utf8').digest('base64');
  await writeFile(join(root, 'htpasswd'), `${user.name}:{SHA}${sha}:created by test/helpers/verdaccio.ts\n`, { mode: 0o644 });
  await writeFile(join(root, 'config.yaml'), configYaml(root, storage), { mode: 0o644 });

  // Fixtures go in before start; the tarball URL inside is rewritten by Verdaccio per request.
  const names = new Set<string>();
  for (const pkg of opts.packages ?? []) {
    await writePackage(storage, 'http://127.0.0.1/', pkg);
    names.add(pkg.name);
  }
  await writeFile(
    join(storage, '.verdaccio-db.json'),
    JSON.stringify({ list: [...names], secret: randomBytes(16).toString('hex') }),
    { mode: 0o644 },
  );

  const logPath = join(root, 'verdaccio.log');
  let child: ChildProcess | undefined;
  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort();
    const logFd = openSync(logPath, 'a');
    const proc = spawn(process.execPath, [verdaccioCli, '--config', join(root, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
      cwd: root,
      stdio: ['ignore', logFd, logFd],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, NODE_ENV: 'production' },
    });
    closeSync(logFd);
    liveChildren.add(proc);
    installExitHook();
    try {
      await waitReady(proc, port, 20_000);
      child = proc;
    } catch (err) {
      lastError = err;
      proc.kill('SIGKILL');
      liveChildren.delete(proc);
    }
  }
  if (!child) {
    const log = await readFile(logPath, 'utf8').catch(() => '');
    rmSync(root, { recursive: true, force: true });
    throw new Error(`Verdaccio did not start: ${String(lastError)}\n${log.slice(-4000)}`);
  }

  const url = `http://127.0.0.1:${port}/`;
  const running = child;
  let stopped = false;

  const server: VerdaccioServer = {
    url,
    port,
    storage,
    root,
    user,
    authNpmrcLines: [`//127.0.0.1:${port}/:_auth=${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`],
    async stop({ keepFiles = false } = {}) {
      if (!stopped) {
        stopped = true;
        await killAndWait(running);
        liveChildren.delete(running);
      }
      if (!keepFiles) await rm(root, { recursive: true, force: true });
    },
    publish: (pkg) => writePackage(storage, url, pkg),
    async setTimes(name, times) {
      await updatePackument(storage, name, (doc) => {
        for (const [key, date] of Object.entries(times)) doc.time[key] = date.toISOString();
      });
    },
    async deprecate(name, version, message) {
      await updatePackument(storage, name, (doc) => {
        const manifest = doc.versions[version];
        if (!manifest) throw new Error(`${name}@${version} is not in the fixture registry`);
        if (message === undefined) delete manifest.deprecated;
        else manifest.deprecated = message;
      });
    },
    async replaceTarball(name, version, files, { keepDist = false, packageJson } = {}) {
      const doc = await readPackument(storage, name);
      const manifest = doc.versions[version];
      if (!manifest) throw new Error(`${name}@${version} is not in the fixture registry`);
      const pj = packageJson ?? stripRegistryFields(manifest);
      const info = await buildTarball(storage, { name, version, packageJson: pj, files });
      if (!keepDist) {
        await updatePackument(storage, name, (d) => {
          const m = d.versions[version]!;
          m.dist = { ...m.dist, integrity: info.integrity, shasum: info.shasum };
          d._attachments[tarballFileName(name, version)] = { shasum: info.shasum, version };
        });
      }
      return info;
    },
    readPackument: (name) => readPackument(storage, name),
    readLog: () => readFile(logPath, 'utf8').catch(() => ''),
  };
  return server;
}

// ---------------------------------------------------------------------------------------------

function configYaml(root: string, storage: string): string {
  // JSON is valid YAML: no quoting surprises with paths.
  const access = { access: '$all', publish: '$all', unpublish: '$all' };
  const config = {
    storage,
    plugins: join(root, 'plugins'),
    auth: { htpasswd: { file: join(root, 'htpasswd'), max_users: 100 } },
    uplinks: {},
    packages: { '@*/*': access, '**': access },
    web: { enable: false },
    server: { keepAliveTimeout: 60 },
    max_body_size: '100mb',
    log: { type: 'stdout', format: 'json', level: 'warn' },
  };
  return JSON.stringify(config, null, 2) + '\n';
}

/** `<storage>/@scope/name` or `<storage>/name`. */
function packageDir(storage: string, name: string): string {
  return join(storage, ...name.split('/'));
}

function tarballFileName(name: string, version: string): string {
  return `${posix.basename(name)}-${version}.tgz`;
}

function tarballUrl(registryUrl: string, name: string, version: string): string {
  return `${registryUrl}${name}/-/${tarballFileName(name, version)}`;
}

async function readPackument(storage: string, name: string): Promise<StoredPackument> {
  const text = await readFile(join(packageDir(storage, name), 'package.json'), 'utf8');
  return JSON.parse(text) as StoredPackument;
}

async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data, { mode: 0o644 });
  await chmod(tmp, 0o644);
  await rename(tmp, path);
}

async function updatePackument(storage: string, name: string, edit: (doc: StoredPackument) => void): Promise<void> {
  const doc = await readPackument(storage, name);
  edit(doc);
  doc._rev = bumpRev(doc._rev);
  await writeAtomic(join(packageDir(storage, name), 'package.json'), JSON.stringify(doc, null, '\t'));
}

function bumpRev(rev: unknown): string {
  const n = typeof rev === 'string' ? Number.parseInt(rev, 10) || 0 : 0;
  return `${n + 1}-${randomBytes(8).toString('hex')}`;
}

/** Registry-added fields are not part of the tarball's package.json. */
function stripRegistryFields(manifest: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(manifest)) {
    if (k.startsWith('_') || k === 'dist' || k === 'deprecated' || k === 'name' || k === 'version') continue;
    if (k === 'contributors' && Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

async function buildTarball(
  storage: string,
  pkg: { name: string; version: string; packageJson?: Record<string, unknown>; files?: Record<string, string | Buffer> },
): Promise<TarballInfo> {
  const dir = packageDir(storage, pkg.name);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const stage = await mkdtemp(join(tmpdir(), 'safe-npm-fixture-'));
  try {
    const pkgRoot = join(stage, 'package');
    await mkdir(pkgRoot);
    const files: Record<string, string | Buffer> = {
      'package.json': JSON.stringify({ name: pkg.name, version: pkg.version, ...pkg.packageJson }, null, 2) + '\n',
      ...pkg.files,
    };
    for (const [rel, content] of Object.entries(files)) {
      if (rel.startsWith('/') || rel.split('/').includes('..')) throw new Error(`fixture file path must stay inside the package: ${rel}`);
      const target = join(pkgRoot, rel);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    const tmpTgz = join(stage, 'package.tgz');
    await tarCreate({ gzip: true, cwd: stage, portable: true, mtime: FIXED_MTIME, file: tmpTgz }, ['package']);
    const data = await readFile(tmpTgz);
    const path = join(dir, tarballFileName(pkg.name, pkg.version));
    await writeAtomic(path, data);
    return {
      path,
      integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
      shasum: createHash('sha1').update(data).digest('hex'),
    };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function writePackage(storage: string, registryUrl: string, pkg: FixturePackage): Promise<TarballInfo> {
  if (!semver.valid(pkg.version)) throw new Error(`fixture ${pkg.name}: invalid version ${pkg.version}`);
  const info = await buildTarball(storage, pkg);
  const publishedAt = (pkg.publishedAt ?? new Date(Date.now() - DEFAULT_PUBLISHED_AGO_DAYS * DAY)).toISOString();

  let doc: StoredPackument;
  try {
    doc = await readPackument(storage, pkg.name);
  } catch {
    doc = {
      name: pkg.name,
      versions: {},
      time: {},
      users: {},
      'dist-tags': {},
      _uplinks: {},
      _distfiles: {},
      _attachments: {},
      _rev: '0-0000000000000000',
      _id: pkg.name,
      readme: '',
    };
  }
  const manifest: Record<string, unknown> = {
    name: pkg.name,
    version: pkg.version,
    ...pkg.packageJson,
    _id: `${pkg.name}@${pkg.version}`,
    _nodeVersion: process.versions.node,
    _npmVersion: '10.9.0',
    dist: { ...pkg.dist, integrity: info.integrity, shasum: info.shasum, tarball: tarballUrl(registryUrl, pkg.name, pkg.version) },
    contributors: [],
  };
  if (pkg.deprecated !== undefined) manifest.deprecated = pkg.deprecated;
  doc.versions[pkg.version] = manifest;
  doc._attachments[tarballFileName(pkg.name, pkg.version)] = { shasum: info.shasum, version: pkg.version };
  doc.time[pkg.version] = publishedAt;

  // created = earliest version, modified = latest version time (callers can override with setTimes).
  const versionTimes = Object.entries(doc.time)
    .filter(([k]) => k !== 'created' && k !== 'modified')
    .map(([, v]) => v)
    .sort();
  doc.time.created = versionTimes[0]!;
  doc.time.modified = versionTimes[versionTimes.length - 1]!;

  const stable = Object.keys(doc.versions).filter((v) => !semver.prerelease(v));
  const latest = semver.rsort(stable.length > 0 ? stable : Object.keys(doc.versions))[0]!;
  doc['dist-tags'].latest = latest;
  for (const tag of pkg.distTags ?? []) doc['dist-tags'][tag] = pkg.version;

  // Top-level fields the public registry copies from the latest version.
  const latestManifest = doc.versions[latest]!;
  for (const key of ['description', 'repository', 'homepage', 'license', 'keywords', 'author', 'bugs']) {
    if (latestManifest[key] !== undefined) doc[key] = latestManifest[key];
    else delete doc[key];
  }
  doc._rev = bumpRev(doc._rev);

  const dir = packageDir(storage, pkg.name);
  await writeAtomic(join(dir, 'package.json'), JSON.stringify(doc, null, '\t'));
  // mkdir honours the umask; make the scope folder and package folder readable by everyone.
  chmodSync(dir, 0o755);
  if (pkg.name.startsWith('@')) chmodSync(dirname(dir), 0o755);
  return info;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/-/ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

async function waitReady(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited early (code ${code}, signal ${signal})`;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(exited);
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not answering on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A look-alike that appeared a few months ago (versions 120, 90, 60 days old): younger than a year, so
 * the registry's answer does not make it an established package (issue 11) and it stays a typosquat.
 */
export function publishedRecently<T extends { publishedAt?: Date }>(versions: T[]): T[] {
  return versions.map((v, i) => ({ ...v, publishedAt: new Date(Date.now() - (120 - 30 * Math.min(i, 3)) * DAY) }));
}
