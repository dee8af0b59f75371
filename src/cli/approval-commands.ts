/**
 * `safe approve <name>@<version> [--network] [--project]`, `safe approve .`,
 * `safe approve node_modules/<path>`, `safe deny <name>`: decide about install scripts. An npm
 * approval is pinned to exactly what the registry serves for that version: the tarball is fetched and
 * its scripts (and the files they run) are hashed the same way the post-install discovery hashes
 * them. A package that comes from no registry version (a local tarball or folder, a URL, git, a copy
 * bundled in its parent) is approved where it is installed, pinned to the content found there.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafeStore } from '../config/store.js';
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Ecosystem } from '../core/types.js';
import { ownCommandName } from './own-command.js';
import type { SafeCommandIo } from './safe-command-io.js';

export async function runApprovalCommand(ecosystem: Ecosystem, sub: 'approve' | 'deny', args: string[], io: SafeCommandIo): Promise<number> {
  if (ecosystem === 'pypi') {
    const { runPipApprovalCommand } = await import('./pip-approval-commands.js');
    return runPipApprovalCommand(sub, args, io);
  }
  let network = false;
  let project = false;
  const targets: string[] = [];
  for (const a of args) {
    if (a === '--network' && sub === 'approve') network = true;
    else if (a === '--project' && sub === 'approve') project = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option for safe ${sub}: ${a}`);
    else targets.push(a);
  }
  const tool = ownCommandName(io.env);
  if (targets.length !== 1) {
    throw new UsageError(sub === 'approve' ? `usage: ${tool} safe approve <name>@<version> | . | node_modules/<package> [--network] [--project]` : `usage: ${tool} safe deny <name>`);
  }
  const store = await SafeStore.open();
  const target = targets[0]!;
  if (sub === 'deny') {
    const { parseSpec } = await import('../npm/parse-npm-args.js');
    const name = parseSpec(target, io.cwd).name ?? target;
    store.recordScriptDecision('npm', { decision: 'deny', key: name, at: new Date().toISOString() });
    io.stdout(`denied install scripts of ${name} (every version)\n`);
    return ExitCode.ok;
  }

  const scripts = await import('../npm/scripts/index.js');
  const { loadNpmConfig } = await import('../npm/npm-config.js');
  const config = await loadNpmConfig({ realNpm: io.realTool(), npmArgs: [], cwd: io.cwd, env: io.env });

  if (target === '.') {
    const root = (await scripts.discoverInstallScripts(config.localPrefix)).find((c) => c.isRoot);
    if (!root) {
      io.stdout(`${config.localPrefix} has no install-time scripts of its own; nothing to approve\n`);
      return ExitCode.ok;
    }
    liftDeny(store, scripts.denyKey(root), io);
    store.recordScriptDecision('npm', scripts.makeApproval(root, { network }));
    io.stdout(`approved this project's own scripts (${Object.keys(root.scripts).join(', ')}) in ${root.path}\n`);
    return ExitCode.ok;
  }

  // An installed package by its location in the project (what the install names for a package that
  // is no registry version): `node_modules/x`, or a linked folder's own path (`packages/x`).
  // (A path has a slash and no leading @: a scoped name is `@scope/name@version`.)
  if (target.includes('/') && !target.startsWith('@')) {
    const location = target.replace(/^\.\//, '').replace(/\/+$/, '');
    const candidate = (await scripts.discoverInstallScripts(config.localPrefix)).find((c) => !c.isRoot && c.location === location);
    if (!candidate) throw new UsageError(`${location} in ${config.localPrefix} is not an installed package with install scripts (a registry version is approved as <name>@<version>)`);
    if (candidate.problems.length) throw new UsageError(`${candidate.name}@${candidate.version} cannot be approved: ${candidate.problems.join('; ')}`);
    if (project) throw new UsageError(`--project approves registry versions (package.json allowScripts); ${location} is approved in your store only`);
    liftDeny(store, scripts.denyKey(candidate), io);
    store.recordScriptDecision('npm', scripts.makeApproval(candidate, { network }));
    const events = Object.entries(candidate.scripts).map(([e, s]) => `${e}: ${s}`).join('; ');
    // A tarball is pinned by its hash; a folder has none: its scripts and the files they run by name are.
    const pinned = candidate.integrity ? 'this content' : 'its scripts and the files they run by name; a folder has no tarball hash to pin the rest';
    io.stdout(`approved ${candidate.name}@${candidate.version} as installed at ${location} (${pinned}) [${events}]${network ? ' with network access' : ''}\n`);
    return ExitCode.ok;
  }

  const { parseSpec } = await import('../npm/parse-npm-args.js');
  const spec = parseSpec(target, io.cwd);
  if (!spec.fromRegistry || spec.type !== 'version') {
    throw new UsageError(`approve an exact registry version, e.g. ${tool} safe approve esbuild@0.25.1 (got "${target}")`);
  }
  const { default: pacote } = await import('pacote');
  const opts = { ...config.flat, fullMetadata: true };
  const manifest = await pacote.manifest(target, opts as never).catch((error: Error) => {
    throw new UsageError(`cannot fetch ${target}: ${error.message.split('\n')[0]}`);
  });
  const work = mkdtempSync(join(tmpdir(), 'safe-npm-approve-'));
  try {
    const name = manifest.name;
    const folder = join(work, 'node_modules', name);
    mkdirSync(folder, { recursive: true });
    await pacote.extract(target, folder, opts as never);
    // A lockfile like the one an install writes, so the candidate is identified the same way.
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'approve', version: '0.0.0', dependencies: { [name]: manifest.version } }));
    writeFileSync(join(work, 'package-lock.json'), JSON.stringify({
      name: 'approve', version: '0.0.0', lockfileVersion: 3,
      packages: {
        '': { name: 'approve', version: '0.0.0', dependencies: { [name]: manifest.version } },
        [`node_modules/${name}`]: { version: manifest.version, resolved: manifest._resolved, integrity: manifest._integrity },
      },
    }));
    const candidate = (await scripts.discoverInstallScripts(work)).find((c) => c.name === name && !c.isRoot);
    if (!candidate) {
      io.stdout(`${name}@${manifest.version} has no install scripts; nothing to approve\n`);
      return ExitCode.ok;
    }
    if (candidate.problems.length) throw new UsageError(`${name}@${manifest.version} cannot be approved: ${candidate.problems.join('; ')}`);
    liftDeny(store, scripts.denyKey(candidate), io);
    store.recordScriptDecision('npm', scripts.makeApproval(candidate, { network }));
    if (project) scripts.writeAllowScripts(config.localPrefix, scripts.allowScriptsKey(candidate, true), true);
    const events = Object.entries(candidate.scripts).map(([e, s]) => `${e}: ${s}`).join('; ');
    io.stdout(`approved ${name}@${manifest.version} [${events}]${network ? ' with network access' : ''}${project ? ' (also in package.json allowScripts)' : ''}\n`);
    return ExitCode.ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A deny (by name) wins over every approval, so approving after a deny — one remembered from the
 * prompt, say — would change nothing: the user's explicit approval lifts their own deny, and says so.
 */
function liftDeny(store: SafeStore, key: string, io: SafeCommandIo): void {
  if (store.scriptDecisions('npm')[key]?.decision !== 'deny') return;
  store.removeScriptDecision('npm', key);
  io.stdout(`removed the deny on ${key}\n`);
}
