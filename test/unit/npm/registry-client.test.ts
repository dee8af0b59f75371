/**
 * When the registry client loads pacote: at once for a run that fetches documents itself, and only on
 * the first document nobody handed over for a run whose documents come from npm's engine (npm ci, a
 * bare install), which then never loads it.
 */
import { describe, expect, it } from 'vitest';
import type { NpmConfig } from '../../../src/npm/npm-config.js';
import { createRegistryClient, type Packument } from '../../../src/npm/npm-registry.js';

const config = { flat: { registry: 'http://127.0.0.1:9/' } } as unknown as NpmConfig;
const doc = (name: string): Packument => ({ name, versions: { '1.0.0': { name, version: '1.0.0' } } });

function countingLoader() {
  const loads: string[] = [];
  const load = async () => {
    loads.push('pacote');
    return { packument: async (name: string) => doc(name) } as never;
  };
  return { loads, load };
}

describe('the registry client loads its fetcher', () => {
  it('now: at creation', async () => {
    const { loads, load } = countingLoader();
    await createRegistryClient(config, undefined, 'now', load);
    expect(loads).toEqual(['pacote']);
  });

  it('when needed: never while every document was handed over; once for the first other one', async () => {
    const { loads, load } = countingLoader();
    const registry = await createRegistryClient(config, undefined, 'when-needed', load);
    registry.prime('a', doc('a'));
    expect(await registry.packument('a')).toEqual({ ok: true, packument: doc('a') });
    expect(loads).toEqual([]);
    expect(await registry.packument('b')).toEqual({ ok: true, packument: doc('b') });
    await registry.packument('c');
    expect(loads).toEqual(['pacote']);
  });

  it('a fetcher that cannot be loaded (a checkout the build user cannot read) is a failed look-up, not a crash', async () => {
    const registry = await createRegistryClient(config, undefined, 'when-needed', async () => {
      throw Object.assign(new Error('EACCES: permission denied, open \'/root/safe-npm/node_modules/pacote/lib/index.js\''), { code: 'EACCES' });
    });
    expect(await registry.packument('b')).toEqual({ ok: false, notFound: false, error: expect.stringContaining('EACCES') });
  });
});
