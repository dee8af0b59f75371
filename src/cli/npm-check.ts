/**
 * `safe-npm safe check`: the same checks as an install, without installing — of the whole tree each
 * spec brings (npm's engine resolves it in a scratch project), or with `--no-deps` / `--offline` of
 * the named packages only.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TreeCheck } from '../flow/npm-check.js';
import { SafeStore } from '../config/store.js';
import { applyEnvOverrides } from '../config/settings.js';
import type { PackageReport } from '../core/types.js';
import { popularNames } from '../checks/popular-names.js';
import { checkNpmSpecs } from '../flow/check-packages.js';
import { loadNpmConfig } from '../npm/npm-config.js';
import type { NpmSpecRequest } from '../npm/npm-invocation.js';
import { createRegistryClient } from '../npm/npm-registry.js';
import { missingLocalSpec } from '../npm/local-spec.js';
import { parseSpec } from '../npm/parse-npm-args.js';
import { ownCommandName } from './own-command.js';
import type { SafeCommandIo } from './safe-command-io.js';

export async function checkNpmForReport(specs: string[], options: { offline: boolean; deps?: boolean; io: SafeCommandIo }): Promise<TreeCheck | number> {
  const { io } = options;
  // A check only reads the settings: the plain read, without conf (and the schema compiler it loads, ~40 ms).
  const store = await SafeStore.open({ readOnly: true });
  const settings = applyEnvOverrides(store.settings(), io.env, 'SAFE_NPM');
  const parsed: Array<NpmSpecRequest | { raw: string; error: string }> = specs.map((raw) => {
    try {
      const spec = parseSpec(raw, io.cwd);
      const missing = missingLocalSpec(spec);
      return missing ? { raw, error: missing } : spec;
    } catch (error) {
      return { raw, error: (error as Error).message };
    }
  });
  const valid = parsed.filter((p): p is NpmSpecRequest => !('error' in p));
  if (!options.offline && options.deps !== false && valid.length > 0) {
    const tree = await checkWholeTree(valid, io);
    if (typeof tree === 'number') return tree;
    const invalid = parsed.filter((p): p is { raw: string; error: string } => 'error' in p).map(invalidReport);
    return { reports: [...tree.reports, ...invalid], checked: tree.checked + invalid.length };
  }
  let registry;
  let defaultTag = 'latest';
  if (!options.offline && valid.some((s) => s.fromRegistry)) {
    const config = await loadNpmConfig({ realNpm: io.realTool(), npmArgs: [], cwd: io.cwd, env: io.env });
    defaultTag = String(config.get('tag') ?? 'latest');
    registry = await createRegistryClient(config, String(config.get('cache')));
  }
  const checked = await checkNpmSpecs({ specs: valid, registry, settings, popular: popularNames('npm'), now: new Date(), defaultTag, command: ownCommandName(io.env) });
  const byRaw = new Map<NpmSpecRequest, PackageReport>(checked.map((c) => [c.spec, c.report]));
  const reports = parsed.map((p) => ('error' in p ? invalidReport(p) : byRaw.get(p)!));
  return { reports, checked: reports.length };
}

function invalidReport(p: { raw: string; error: string }): PackageReport {
  return { name: p.raw, version: null, verdict: 'block', findings: [{ check: 'invalid-spec', severity: 'block', message: p.error }] };
}

/** The install's own stages in a scratch project (removed afterwards): nothing is installed anywhere. */
async function checkWholeTree(specs: NpmSpecRequest[], io: SafeCommandIo): Promise<TreeCheck | number> {
  // Loaded here, not at the top: the install flow is half the modules, and `--offline` / `--no-deps` never use it.
  const [{ npmCheckTree }, { realNpmFlowDeps }] = await Promise.all([import('../flow/npm-check.js'), import('./npm-install-flow.js')]);
  const scratch = mkdtempSync(join(tmpdir(), 'safe-npm-check-'));
  try {
    chmodSync(scratch, 0o755);
    writeFileSync(join(scratch, 'package.json'), '{"name":"safe-npm-check","version":"0.0.0","private":true}\n');
    const deps = realNpmFlowDeps({ argv: [], env: io.env, cwd: scratch, stdinIsTTY: false, stdoutIsTTY: io.stdoutIsTTY, realNpm: io.realTool() });
    return await npmCheckTree(specs.map((s) => (s.type === 'directory' || s.type === 'file' ? parseSpec(s.raw, io.cwd) : s)), { ...deps, interactive: false });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
