/**
 * What an npm package would run at install time, as scan documents: its lifecycle commands (with
 * their line in package.json), the package files those commands run (`node x.js`, `sh x.sh`, `./x`,
 * `require('./x')` in `node -e`), the local files those require (one level), and binding.gyp
 * (node-gyp runs its `<!(…)` commands). Bundled executables the commands name are marked as such.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, normalize, relative, dirname } from 'node:path';
import type { ScanDocument } from './types.js';

/** Files larger than this are not read (install helpers are small; the 2025 worm's bundle was 3.6 MB). */
export const MAX_SCANNED_FILE_BYTES = 10_000_000;
export const MAX_SCANNED_FILES = 30;

export function npmScanDocuments(packageDir: string, scripts: Readonly<Record<string, string>>, options: { gyp?: boolean } = {}): ScanDocument[] {
  const pkgText = readText(join(packageDir, 'package.json')) ?? '';
  const docs: ScanDocument[] = [];
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const [event, command] of Object.entries(scripts)) {
    docs.push({ path: `package.json (${event})`, kind: 'shell', text: command, firstLine: lineOfScript(pkgText, event) });
    for (const file of filesNamedBy(command)) queue.push(file);
  }
  if (options.gyp || scripts.install?.includes('node-gyp') || scripts.preinstall?.includes('node-gyp')) queue.push('binding.gyp');

  let depth = 0;
  while (queue.length && docs.length < MAX_SCANNED_FILES + Object.keys(scripts).length && depth < 200) {
    depth++;
    const raw = queue.shift()!;
    const rel = inside(packageDir, raw);
    if (!rel || seen.has(rel) || (rel.endsWith('.json') && rel !== 'package.json')) continue;
    if (rel === 'package.json') continue; // data, read above for the script lines
    seen.add(rel);
    const path = join(packageDir, rel);
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) continue;
      size = st.size;
    } catch {
      continue;
    }
    if (isExecutable(path)) {
      docs.push({ path: rel, kind: 'shell', text: '', executable: true });
      continue;
    }
    if (size > MAX_SCANNED_FILE_BYTES) continue;
    const text = readText(path);
    if (text === undefined) continue;
    const kind: ScanDocument['kind'] = rel.endsWith('.gyp') ? 'gyp' : /\.(?:c|m)?[jt]s$/.test(rel) || !/\.\w+$/.test(rel) && !text.startsWith('#!/bin/') ? 'js' : 'shell';
    docs.push({ path: rel, kind, text });
    if (kind === 'js' && !rel.includes('node_modules')) {
      // One level of local requires: the helper files an install script loads.
      if (scripts && queue.length < MAX_SCANNED_FILES) for (const r of localRequires(text)) queue.push(join(dirname(rel), r));
    }
  }
  return docs;
}

/** Package files a command names: `node x`, `bun x`, `sh x`, `bash x`, `./x`, a path with a script extension, `require('./x')` in inline code. */
export function filesNamedBy(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/(?:^|[\s;&|(])(?:node|bun(?:\s+run)?|deno\s+run|tsx|ts-node|sh|bash|zsh|python3?)\s+(?:--?[\w-]+(?:=\S+)?\s+)*([^\s;&|'"()-][^\s;&|'"()]*)/g)) out.push(m[1]!);
  for (const m of command.matchAll(/(?:^|[\s;&|(])(\.\/[^\s;&|'"()]+)/g)) out.push(m[1]!);
  for (const m of command.matchAll(/require\(\s*\\?['"](\.{1,2}\/[^'"\\]+)\\?['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

function localRequires(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\brequire\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1] ?? m[2]!);
  return out;
}

/** `x` as a path relative to the package, resolving `.js`/`/index.js` as node does; undefined outside it. */
function inside(packageDir: string, file: string): string | undefined {
  for (const candidate of [file, `${file}.js`, `${file}.cjs`, join(file, 'index.js')]) {
    const rel = relative(packageDir, join(packageDir, normalize(candidate)));
    if (rel.startsWith('..') || rel === '') continue;
    try {
      if (statSync(join(packageDir, rel)).isFile()) return rel;
    } catch {
      /* try the next form */
    }
  }
  return undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** ELF, PE (MZ), Mach-O (32/64, both byte orders, universal). */
export function isExecutable(path: string): boolean {
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    if (readSync(fd, head, 0, 4, 0) < 4) return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const magic = head.readUInt32BE(0);
  return magic === 0x7f454c46 || head.readUInt16BE(0) === 0x4d5a || [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic);
}

/** The line of `"event":` in package.json's text (1 when not found). */
function lineOfScript(pkgText: string, event: string): number {
  const at = pkgText.search(new RegExp(`"${event}"\\s*:`));
  return at < 0 ? 1 : pkgText.slice(0, at).split('\n').length;
}
