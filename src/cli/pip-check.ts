/**
 * `safe-pip safe check [--offline] [--json] <requirement>...`: the same checks an install runs on
 * index metadata, without resolving or installing. One report per requirement, in order, named as
 * typed; a requirement that does not parse is its own blocked entry. The index is the one pip would
 * use (PIP_INDEX_URL, else pip's config files, else PyPI).
 */
import { SafeStore } from '../config/store.js';
import { applyEnvOverrides } from '../config/settings.js';
import type { PackageReport } from '../core/types.js';
import { popularNames } from '../checks/popular-names.js';
import { effectiveIndexUrl } from '../pypi/pip-config.js';
import { describeEnvironment } from '../pypi/pip-environment.js';
import { DEFAULT_INDEX, parseRequirementName, pypiReportsForCheck } from '../pypi/pypi-check.js';
import { ownPipCommandName } from './own-command.js';
import type { SafeCommandIo } from './safe-command-io.js';

export async function checkPypiForReport(specs: string[], options: { offline: boolean; io: SafeCommandIo }): Promise<PackageReport[]> {
  const { io } = options;
  // A check only reads the settings: the plain read, without conf (and the schema compiler it loads, ~40 ms).
  const store = await SafeStore.open({ readOnly: true });
  const settings = applyEnvOverrides(store.settings(), io.env, 'SAFE_PIP');
  const parsed = specs.map((raw) => {
    try {
      parseRequirementName(raw, ownPipCommandName(io.env));
      return { raw };
    } catch (error) {
      return { raw, error: (error as Error).message };
    }
  });
  const valid = parsed.filter((p) => !p.error).map((p) => p.raw);
  const indexUrl = options.offline ? undefined : indexFor(io);
  const reports = valid.length
    ? await pypiReportsForCheck(valid, {
        offline: options.offline,
        indexUrl,
        ctx: { now: new Date(), thresholds: settings.thresholds, popular: popularNames('pypi'), command: ownPipCommandName(io.env) },
        severity: settings.severity,
      })
    : [];
  const byRaw = new Map(valid.map((raw, i) => [raw, reports[i]!] as const));
  return parsed.map((p) =>
    p.error !== undefined
      ? { name: p.raw, version: null, verdict: 'block' as const, findings: [{ check: 'invalid-spec', severity: 'block' as const, message: p.error }] }
      : byRaw.get(p.raw)!,
  );
}

/** The index pip would use: env, then config files (incl. the venv's pip.conf of the real pip). */
function indexFor(io: SafeCommandIo): string {
  let venvDir: string | undefined;
  try {
    venvDir = describeEnvironment(io.realTool()).venvDir;
  } catch {
    /* no pip on PATH: env and user/global config still apply */
  }
  return effectiveIndexUrl(io.env, io.env.HOME ?? '/', venvDir) ?? DEFAULT_INDEX;
}
