/**
 * Provenance regression (issue 11) against a real Verdaccio serving packuments we write: npm adds
 * `dist.attestations` to versions published with provenance; a later version without it warns, with
 * before and after. (The CI registry mirror strips the field: there nothing is said.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/projects.js';
import { runBin, SYSTEM_PATH, type RunResult } from '../helpers/run-bin.js';
import { startVerdaccio, type VerdaccioServer } from '../helpers/verdaccio.js';

const DAY = 86_400_000;
const attestations = { url: 'https://registry.npmjs.org/-/npm/v1/attestations/prov-fixture@1.0.0', provenance: { predicateType: 'https://slsa.dev/provenance/v1' } };
let registry: VerdaccioServer;
const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

beforeAll(async () => {
  const at = (days: number) => new Date(Date.now() - days * DAY);
  const base = { description: 'provenance fixture', repository: 'https://example.invalid/prov-fixture' };
  registry = await startVerdaccio({
    packages: [
      { name: 'prov-fixture', version: '1.0.0', publishedAt: at(400), packageJson: base, dist: { attestations } },
      { name: 'prov-fixture', version: '1.1.0', publishedAt: at(200), packageJson: base, dist: { attestations } },
      // A release from a stolen token: no CI, no attestation. Recent, but older than the cooldown.
      { name: 'prov-fixture', version: '1.1.1', publishedAt: at(5), packageJson: base },
    ],
  });
});
afterAll(async () => {
  await registry?.stop();
});

async function check(spec: string) {
  const cwd = await makeTempDir('safe-npm-prov-');
  const r = await runBin('safe-npm', ['safe', 'check', '--json', spec], { cwd, registry: registry.url, env: { PATH: SYSTEM_PATH } });
  return { r, pkg: JSON.parse(r.stdout).packages[0] as { verdict: string; findings: Array<{ check: string; severity: string; message: string; details?: string[] }> } };
}

describe('provenance regression', () => {
  it('a version without provenance after versions with it warns, naming the version before that had it', async () => {
    const { r, pkg } = await check('prov-fixture@1.1.1');
    const finding = pkg.findings.find((f) => f.check === 'provenance-dropped');
    expect(finding, JSON.stringify(finding)).toMatchObject({
      severity: 'warn',
      message: 'prov-fixture@1.1.1 was published without a provenance attestation (1.1.0, the previous release, with one: built and signed in CI)',
    });
    expect(pkg.verdict).toBe('warn');
  });

  it('a version with provenance says nothing about it', async () => {
    const { r, pkg } = await check('prov-fixture@1.1.0');
    expect(pkg.findings.filter((f) => f.check === 'provenance-dropped'), show(r)).toEqual([]);
  });
});
