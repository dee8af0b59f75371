/**
 * Shared by the npm benches: a local Verdaccio (with or without an uplink), free ports, PATH lookup.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

export function which(bin) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, bin);
    if (dir && existsSync(p) && !dir.includes('/shims')) return p;
  }
  return bin;
}

export function lookupNobody() {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
    if (!line) return undefined;
    const [name, , uid, gid, , home] = line.split(':');
    return { name, uid: Number(uid), gid: Number(gid), home };
  } catch {
    return undefined;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function startVerdaccio({ cli, root, storage, port, uplink }) {
  const access = { access: '$all', publish: '$all', unpublish: '$all', ...(uplink ? { proxy: 'upstream' } : {}) };
  const config = {
    storage,
    plugins: join(root, 'plugins'),
    auth: { htpasswd: { file: join(root, 'htpasswd'), max_users: -1 } },
    uplinks: uplink ? { upstream: { url: uplink, timeout: '60s', maxage: '30d', cache: true } } : {},
    packages: { '@*/*': access, '**': access },
    web: { enable: false },
    server: { keepAliveTimeout: 60 },
    max_body_size: '100mb',
    log: { type: 'stdout', format: 'json', level: 'error' },
  };
  mkdirSync(join(root, 'plugins'), { recursive: true });
  writeFileSync(join(root, 'config.yaml'), JSON.stringify(config, null, 2));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, NODE_ENV: 'production' };
  for (const k of ['NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) if (process.env[k]) env[k] = process.env[k];
  const child = spawn(process.execPath, [cli, '--config', join(root, 'config.yaml'), '--listen', `127.0.0.1:${port}`], { cwd: root, stdio: 'ignore', env });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Verdaccio exited ${child.exitCode}`);
    if (await ping(port)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('Verdaccio did not start');
}

export function ping(port) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/-/ping', timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}

