/** What the safe-pip integration tests share: running safe-pip with a venv first on PATH, the store, established projects. */
import { join } from 'node:path';
import { SafeStore } from '../../src/config/store.js';
import { buildWheel } from './python-dists.js';
import { runBin, type Sandbox } from './run-bin.js';
import { daysAgo, type IndexProject } from './simple-index.js';

/** `safe-pip <args>` in the sandbox, the venv's bin first on PATH, a build-user cache under `work`. */
export function runSafePip(
  sandbox: Sandbox,
  work: string,
  venv: string | undefined,
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
) {
  return runBin('safe-pip', args, {
    cwd: options.cwd ?? work,
    sandbox,
    timeoutMs: 120_000,
    env: { PATH: venv ? `${join(venv, 'bin')}:${sandbox.env.PATH}` : sandbox.env.PATH, SAFE_PIP_CACHE_ROOT: join(work, 'cache'), ...options.env },
  });
}

/** The per-user store the sandboxed safe-pip reads and writes. */
export function sandboxStore(sandbox: Sandbox): Promise<SafeStore> {
  return SafeStore.open({ cwd: join(sandbox.env.XDG_CONFIG_HOME!, 'safe-npm') });
}

/** Three old wheels (1.0, 1.1, 1.2) and a source URL: nothing to report about it. */
export function establishedProject(dists: string, name: string, extra: Partial<Parameters<typeof buildWheel>[1]> = {}): IndexProject {
  return {
    name,
    projectUrls: { Source: `https://example.invalid/${name}` },
    files: ['1.0', '1.1', '1.2'].map((version, i) => ({ dist: buildWheel(dists, { name, version, ...extra }), uploaded: daysAgo(400 - i * 50) })),
  };
}

/**
 * A look-alike project that appeared a few months ago (uploads 120, 90, 60 days old): younger than a
 * year, so the index's answer does not make it established (issue 11) and it stays a typosquat.
 */
export function uploadedRecently(project: IndexProject): IndexProject {
  return { ...project, files: project.files.map((f, i) => ({ ...f, uploaded: daysAgo(120 - 30 * Math.min(i, 3)) })) };
}
