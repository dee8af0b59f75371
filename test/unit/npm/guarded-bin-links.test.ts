/**
 * Root links the bins of a folder someone else may write (`-g .`, `npm link`, `npx -p <folder>`):
 * npm's linker made each bin executable by path, following links, so a bin swapped for a link after
 * the check made root chmod any file (attack trial: a 0600 secret became 0755). The swap is made
 * here exactly at the moment npm's linker reaches the file, not raced.
 */
import { chownSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardedFixBin, linkBinsOf, loadGuardedBinLinks, packageFolder, type BinLinks } from '../../../src/npm/guarded-bin-links.js';

const NOBODY = 65534;

function folderWithBin(target = 'cli.js'): { dir: string; pkgDir: string; secret: string; pkg: Record<string, unknown> } {
  const dir = mkdtempSync(join(tmpdir(), 'safe-bins-'));
  const secret = join(dir, 'secret');
  writeFileSync(secret, 'secret\n', { mode: 0o600 });
  // Inside a node_modules folder: npm's linker puts the bin links in its .bin.
  const pkgDir = join(dir, 'node_modules', 'pkg');
  mkdirSync(join(pkgDir, 'dist'), { recursive: true });
  const pkg = { name: 'pkg', version: '1.0.0', bin: { pkg: target } };
  writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(pkg));
  writeFileSync(join(pkgDir, 'cli.js'), '#!/usr/bin/env node\r\nconsole.log(1)\n', { mode: 0o644 });
  writeFileSync(join(pkgDir, 'dist', 'real.js'), '#!/usr/bin/env node\n', { mode: 0o644 });
  for (const p of [pkgDir, join(pkgDir, 'cli.js'), join(pkgDir, 'dist'), join(pkgDir, 'dist', 'real.js'), join(pkgDir, 'package.json')]) chownSync(p, NOBODY, NOBODY);
  return { dir, pkgDir, secret, pkg };
}

describe('bins made executable by root', () => {
  it('a bin swapped for a link out of the folder after the check: refused, the file it points to unchanged', async () => {
    const { pkgDir, secret } = folderWithBin();
    const folder = packageFolder(pkgDir);
    // What another user does the moment before npm's linker chmods the bin.
    const swapThenFix: BinLinks = Object.assign(async () => {
      symlinkSync(secret, join(pkgDir, 'swap'));
      renameSync(join(pkgDir, 'swap'), join(pkgDir, 'cli.js'));
      await guardedFixBin(join(pkgDir, 'cli.js'));
    }, { checkBins: async () => {}, getPaths: () => [] });
    await expect(linkBinsOf(swapThenFix, folder, { path: pkgDir, pkg: {}, global: false, top: false, force: false })).rejects.toMatchObject({ code: 'ESAFEBIN' });
    expect(statSync(secret).mode & 0o777).toBe(0o600);
  });

  it('the whole folder swapped for another after it was taken: refused', async () => {
    const { dir, pkgDir, secret } = folderWithBin('secret');
    const folder = packageFolder(pkgDir);
    renameSync(pkgDir, join(dir, 'moved'));
    symlinkSync(dir, pkgDir); // pkg/secret is now the secret of the folder above
    await expect(linkBinsOf(Object.assign(async () => guardedFixBin(join(pkgDir, 'secret')), { checkBins: async () => {}, getPaths: () => [] }), folder, { path: pkgDir, pkg: {}, global: false, top: false, force: false })).rejects.toMatchObject({ code: 'ESAFEBIN' });
    expect(statSync(secret).mode & 0o777).toBe(0o600);
  });

  it('npm\'s own linker goes through it: a bin that is a link out of the folder is refused (it chmod-ed the secret)', async () => {
    const { pkgDir, secret, pkg } = folderWithBin();
    symlinkSync(secret, join(pkgDir, 'out.js'));
    const binLinks = loadGuardedBinLinks();
    await expect(linkBinsOf(binLinks, packageFolder(pkgDir), { path: pkgDir, pkg: { ...pkg, bin: { pkg: 'out.js' } }, global: false, top: false, force: false })).rejects.toMatchObject({ code: 'ESAFEBIN' });
    expect(statSync(secret).mode & 0o777).toBe(0o600);
  });

  it('an ordinary bin, and one that is a link inside the folder, are made executable (and a Windows hashbang line Unix), as npm does', async () => {
    const { pkgDir, pkg } = folderWithBin();
    symlinkSync(join('dist', 'real.js'), join(pkgDir, 'inner.js'));
    const binLinks = loadGuardedBinLinks();
    await linkBinsOf(binLinks, packageFolder(pkgDir), { path: pkgDir, pkg: { ...pkg, bin: { pkg: 'cli.js', inner: 'inner.js' } }, global: false, top: false, force: false });
    expect(statSync(join(pkgDir, 'cli.js')).mode & 0o111).toBe(0o111);
    expect(statSync(join(pkgDir, '..', '.bin', 'inner')).isFile()).toBe(true);
    expect(statSync(join(pkgDir, 'dist', 'real.js')).mode & 0o111).toBe(0o111);
    expect(readFileSync(join(pkgDir, 'cli.js'), 'utf8')).toBe('#!/usr/bin/env node\nconsole.log(1)\n');
  });
});
