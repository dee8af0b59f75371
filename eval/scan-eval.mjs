#!/usr/bin/env node
// The install-script scanner on real packages and on malware-like samples (issue 11, part 4):
// `npm run eval:scan` (builds first).
//
//   node eval/scan-eval.mjs [--real] [--samples] [--verbose]   (neither: both)
//
// --real: every package of eval/scan-real-packages.txt (popular packages with install scripts or
// native builds, pinned versions) is fetched with `npm pack` from npm's configured registry, one at a
// time, and scanned as safe-npm scans it: the registry's script text (the check before the install)
// and, after unpacking, the files its scripts run (the scan at the script approval). Every finding on
// them is a false alarm to look at: the goal is none.
// --samples: the malicious-looking scripts of eval/scan-samples.mjs, written to a temp folder, only
// read: each is BLOCK (a high finding), warn, or MISS.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = new URL('../', import.meta.url);
const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose');
const both = !argv.includes('--real') && !argv.includes('--samples');
const dist = (p) => new URL(`dist/${p}`, root).href;
if (!existsSync(new URL('dist/scan/scan.js', root))) {
  console.error('eval: run `npm run build` first (dist/ is missing)');
  process.exit(1);
}
const { extractScripts } = await import(dist('npm/scripts/discover.js'));
const { npmScanDocuments } = await import(dist('scan/npm-package.js'));
const { scanDocuments, describeContentFinding } = await import(dist('scan/scan.js'));
const { installScriptContent } = await import(dist('checks/install-script-content.js'));

/** Both scans of one unpacked package: [severity, text] per finding. */
async function scanPackage(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const registryScripts = {};
  for (const e of ['preinstall', 'install', 'postinstall']) if (typeof manifest.scripts?.[e] === 'string' && manifest.scripts[e].trim()) registryScripts[e] = manifest.scripts[e];
  const before = await installScriptContent.run({ installScripts: registryScripts, name: manifest.name, version: manifest.version, ecosystem: 'npm' });
  const { scripts, gyp } = extractScripts(dir, manifest, 'registry');
  const atApproval = scanDocuments(npmScanDocuments(dir, scripts, { gyp: gyp === 'implicit' }));
  return [
    ...before.map((f) => [f.severity, `before install: ${f.details?.[0] ?? f.title ?? ''}`]),
    ...atApproval.map((f) => [f.confidence === 'high' ? 'block' : 'warn', `at approval: ${describeContentFinding(f)}`]),
  ];
}

const work = mkdtempSync(join(tmpdir(), 'safe-npm-scan-eval-'));
try {
  if (both || argv.includes('--real')) {
    const specs = readFileSync(new URL('eval/scan-real-packages.txt', root), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    let flagged = 0;
    let failed = 0;
    for (const [i, spec] of specs.entries()) {
      const dir = join(work, `real-${i}`);
      mkdirSync(dir);
      const pack = spawnSync('npm', ['pack', spec, '--silent'], { cwd: dir, encoding: 'utf8' });
      const tgz = pack.stdout.trim().split('\n').pop();
      if (pack.status !== 0 || !tgz || spawnSync('tar', ['-xzf', tgz], { cwd: dir }).status !== 0) {
        failed++;
        console.log(`  could not fetch ${spec}`);
        continue;
      }
      const found = await scanPackage(join(dir, readdirSync(dir).find((d) => !d.endsWith('.tgz'))));
      if (found.length) {
        flagged++;
        console.log(`  ${spec}:`);
        for (const [severity, text] of found) console.log(`    ${severity} ${text}`);
      } else if (verbose) console.log(`  ${spec}: nothing`);
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`real packages: ${specs.length - failed} scanned, ${flagged} with a finding${failed ? ` (${failed} could not be fetched)` : ''}`);
  }
  if (both || argv.includes('--samples')) {
    const { cases, ELF } = await import(new URL('eval/scan-samples.mjs', root).href);
    const tally = { BLOCK: 0, warn: 0, MISS: 0 };
    for (const c of cases) {
      const dir = join(work, c.id);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: c.id, version: '1.0.0', scripts: c.scripts }, null, 2)}\n`);
      for (const [p, text] of Object.entries(c.files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        if (text === ELF) {
          copyFileSync('/bin/true', join(dir, p));
          chmodSync(join(dir, p), 0o755);
        } else writeFileSync(join(dir, p), text);
      }
      const found = await scanPackage(dir);
      const verdict = found.some(([s]) => s === 'block') ? 'BLOCK' : found.length ? 'warn' : 'MISS';
      tally[verdict]++;
      if (verdict !== 'BLOCK' || verbose) {
        console.log(`  ${verdict.padEnd(5)} ${c.id}: ${c.desc}`);
        if (verbose) for (const [severity, text] of found) console.log(`        ${severity} ${text}`);
      }
    }
    console.log(`malware-like samples: ${cases.length}: ${tally.BLOCK} blocked, ${tally.warn} warned, ${tally.MISS} missed`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
