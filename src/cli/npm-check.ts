/** `safe-npm safe check`: the same checks as an install, without installing. */
import { SafeStore } from '../config/store.js';
import { applyEnvOverrides } from '../config/settings.js';
import type { PackageReport } from '../core/types.js';
import { popularNames } from '../checks/popular-names.js';
import { checkNpmSpecs } from '../flow/check-packages.js';
import { loadNpmConfig } from '../npm/npm-config.js';
import type { NpmSpecRequest } from '../npm/npm-invocation.js';
import { createRegistryClient } from '../npm/npm-registry.js';
import { parseSpec } from '../npm/parse-npm-args.js';
import type { SafeCommandIo } from './safe-command-io.js';

export async function checkNpmForReport(specs: string[], options: { offline: boolean; io: SafeCommandIo }): Promise<PackageReport[]> {
  const { io } = options;
  const store = await SafeStore.open();
  const settings = applyEnvOverrides(store.settings(), io.env, 'SAFE_NPM');
  const parsed: Array<NpmSpecRequest | { raw: string; error: string }> = specs.map((raw) => {
    try {
      return parseSpec(raw, io.cwd);
    } catch (error) {
      return { raw, error: (error as Error).message };
    }
  });
  const valid = parsed.filter((p): p is NpmSpecRequest => !('error' in p));
  let registry;
  let defaultTag = 'latest';
  if (!options.offline && valid.some((s) => s.fromRegistry)) {
    const config = await loadNpmConfig({ realNpm: io.realTool(), npmArgs: [], cwd: io.cwd, env: io.env });
    defaultTag = String(config.get('tag') ?? 'latest');
    registry = await createRegistryClient(config, String(config.get('cache')));
  }
  const checked = await checkNpmSpecs({ specs: valid, registry, settings, popular: popularNames('npm'), now: new Date(), defaultTag });
  const byRaw = new Map<NpmSpecRequest, PackageReport>(checked.map((c) => [c.spec, c.report]));
  return parsed.map((p) =>
    'error' in p
      ? { name: p.raw, version: null, verdict: 'block' as const, findings: [{ check: 'invalid-spec', severity: 'block' as const, message: p.error }] }
      : byRaw.get(p)!,
  );
}
