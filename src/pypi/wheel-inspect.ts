/**
 * Wheel-time risks, found by reading the .whl (a zip) before install: installing a wheel runs no
 * package code, but what it unpacks can run later — `.pth` files with `import` lines run at every
 * interpreter start, `sitecustomize`/`usercustomize` likewise, a `pip` console script replaces
 * pip's own entry point, and files can silently overwrite another distribution's files.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { Finding } from '../core/types.js';
import { normalizePypiName } from './normalize-name.js';

export const CHECK_ID = 'wheel-contents';

/**
 * Well-known `.pth` files that run code and are harmless, by project and sha256 of their content:
 * a file counts only when the project that ships it is the one named here. How the list is kept
 * (README, "Known-good .pth files"): an entry is added from the released wheel itself, with the
 * versions it was read from, and never for a file that does more than the project's documented hook.
 */
export const knownGoodPth: ReadonlyArray<{ project: string; sha256: string; what: string }> = [
  // `import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = …; enabled and __import__('_distutils_hack').add_shim();`
  { project: 'setuptools', sha256: '2638ce9e2500e572a5e0de7faed6661eb569d1b696fcba07b0dd223da5f5d224', what: "setuptools' distutils-precedence.pth (setuptools >= 60; read from 80.9.0 and 84.0.0)" },
  { project: 'setuptools', sha256: '7ea7ffef3fe2a117ee12c68ed6553617f0d7fd2f0590257c25c484959a3b7373', what: "setuptools' distutils-precedence.pth (before 60)" },
  // coverage's subprocess hook: starts coverage only when COVERAGE_PROCESS_START / _CONFIG is set.
  { project: 'coverage', sha256: 'ef2ed06d19867ec669c09a804060666a9cd5e383af0a9d11aa2de79b77d448e8', what: "coverage's subprocess measurement hook a1_coverage.pth (coverage 7.16)" },
];

/** The known-good entry for this project's `.pth` content, if any. */
export function knownGoodPthOf(project: string, sha256: string): { what: string } | undefined {
  const canonical = normalizePypiName(project);
  return knownGoodPth.find((k) => k.project === canonical && k.sha256 === sha256);
}

export interface ZipEntry {
  name: string;
  read(): Buffer;
}

/** Minimal zip reader (central directory; stored and deflated entries). */
export function readZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = buf.readUInt16LE(p + 10);
    const compSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    entries.push({
      name,
      read() {
        const lnameLen = buf.readUInt16LE(localOffset + 26);
        const lextraLen = buf.readUInt16LE(localOffset + 28);
        const start = localOffset + 30 + lnameLen + lextraLen;
        const data = buf.subarray(start, start + compSize);
        if (method === 0) return Buffer.from(data);
        if (method === 8) return inflateRawSync(data);
        throw new Error(`unsupported zip compression ${method} in ${name}`);
      },
    });
  }
  return entries;
}

/** Where a wheel member lands, relative to site-packages ('' prefix) or the scheme (scripts, data). */
function installedPath(member: string): { scheme: 'lib' | 'scripts' | 'data' | 'headers'; path: string } {
  const m = member.match(/^[^/]+\.data\/(purelib|platlib|scripts|data|headers)\/(.*)$/);
  if (!m) return { scheme: 'lib', path: member };
  const scheme = m[1] === 'purelib' || m[1] === 'platlib' ? 'lib' : (m[1] as 'scripts' | 'data' | 'headers');
  return { scheme, path: m[2]! };
}

const pipScripts = /^pip(\d+(\.\d+)*)?$/;

export interface InstalledFiles {
  /** site-packages-relative path → owning distribution (canonical name). */
  owners: Map<string, string>;
}

/** How a file is read: root reads another user's wheels and site-packages as that user (readWorkFile). */
export type ReadBytes = (path: string) => Buffer;

/** Files of every installed distribution, from `*.dist-info/RECORD` in site-packages. */
export function installedFiles(sitePackages: string | undefined, read: ReadBytes = (p) => readFileSync(p)): InstalledFiles {
  const owners = new Map<string, string>();
  if (!sitePackages || !existsSync(sitePackages)) return { owners };
  for (const e of readdirSync(sitePackages)) {
    const m = e.match(/^(.+?)-[^-]+\.dist-info$/);
    if (!m) continue;
    let record = '';
    try {
      record = read(join(sitePackages, e, 'RECORD')).toString('utf8');
    } catch {
      continue;
    }
    const owner = normalizePypiName(m[1]!);
    for (const line of record.split('\n')) {
      const path = line.split(',')[0];
      if (path) owners.set(path, owner);
    }
  }
  return { owners };
}

export interface WheelToInspect {
  /** Distribution name as resolved. */
  name: string;
  file: string;
}

/**
 * Findings for a set of wheels about to be installed together. `installed` are the files already in
 * the destination; a file owned by the same distribution (an upgrade) is fine.
 */
export function inspectWheels(wheels: readonly WheelToInspect[], installed: InstalledFiles, read: ReadBytes = (p) => readFileSync(p)): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const claimed = new Map<string, string>();
  for (const w of wheels) {
    const findings: Finding[] = [];
    const canonical = normalizePypiName(w.name);
    let entries: ZipEntry[];
    try {
      entries = readZip(read(w.file));
    } catch (error) {
      findings.push({ check: CHECK_ID, severity: 'block', message: `cannot read wheel ${w.file}: ${(error as Error).message}` });
      out.set(canonical, findings);
      continue;
    }
    for (const entry of entries) {
      if (entry.name.endsWith('/')) continue;
      const { scheme, path } = installedPath(entry.name);
      if (scheme === 'lib' && !path.includes('/') && path.endsWith('.pth')) {
        const data = entry.read();
        const sha = createHash('sha256').update(data).digest('hex');
        const executes = data.toString('utf8').split(/\r?\n/).some((l) => /^import[ \t]/.test(l));
        const known = knownGoodPthOf(w.name, sha);
        if (known) {
          findings.push({ check: CHECK_ID, severity: 'info', message: `${w.name} installs ${path}: known file (${known.what})` });
        } else if (executes) {
          findings.push({
            check: CHECK_ID,
            severity: 'block',
            message: `${w.name} installs ${path}, a .pth file that runs code at every Python start (even the next pip)`,
            details: data.toString('utf8').split(/\r?\n/).filter((l) => /^import[ \t]/.test(l)).slice(0, 5),
          });
        } else {
          findings.push({ check: CHECK_ID, severity: 'info', message: `${w.name} installs ${path} (adds import paths, runs no code)` });
        }
      }
      if (scheme === 'lib' && /^(sitecustomize|usercustomize)(\.py|\.pyc|\/__init__\.py|\..*\.so)$/.test(path)) {
        findings.push({ check: CHECK_ID, severity: 'block', message: `${w.name} installs ${path}, which Python runs at every start` });
      }
      if (scheme === 'scripts' && pipScripts.test(path)) {
        findings.push({ check: CHECK_ID, severity: 'block', message: `${w.name} installs a "${path}" script that would replace pip's own entry point` });
      }
      if (/^[^/]+\.dist-info\/entry_points\.txt$/.test(entry.name)) {
        const text = entry.read().toString('utf8');
        const section = text.split(/^\[/m).find((s) => s.startsWith('console_scripts]') || s.startsWith('gui_scripts]')) ?? '';
        for (const line of section.split('\n').slice(1)) {
          const script = line.split('=')[0]?.trim();
          if (script && pipScripts.test(script) && canonical !== 'pip') {
            findings.push({ check: CHECK_ID, severity: 'block', message: `${w.name} declares a "${script}" console script that would replace pip's own entry point` });
          }
        }
      }
      if (scheme === 'lib' && !/^[^/]+\.dist-info\//.test(path)) {
        const owner = installed.owners.get(path);
        if (owner && owner !== canonical) {
          findings.push({ check: CHECK_ID, severity: 'block', message: `${w.name} would overwrite ${path}, a file of the installed "${owner}"` });
        }
        const other = claimed.get(path);
        if (other && other !== canonical) {
          findings.push({ check: CHECK_ID, severity: 'block', message: `${w.name} and ${other} both install ${path}` });
        }
        claimed.set(path, canonical);
      }
    }
    out.set(canonical, dedupe(findings));
  }
  return out;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => (seen.has(f.message) ? false : (seen.add(f.message), true)));
}

/** Canonical name and version from a wheel filename. */
export function parseWheelFilename(filename: string): { canonical: string; version: string } | undefined {
  if (!filename.endsWith('.whl')) return undefined;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length < 5) return undefined;
  return { canonical: normalizePypiName(parts[0]!), version: parts[1]! };
}
