import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { extraCaFor, withExtraCa } from '../../../src/npm/extra-ca.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const read = (file: string) => {
  if (file === '/ca.pem') return PEM;
  throw new Error(`EACCES: permission denied, open '${file}'`);
};

describe('NODE_EXTRA_CA_CERTS, read by the invoking process and applied by npm\'s engine', () => {
  it('npm names no CA: the file is read here (as the invoking user) and trusted there beside Node\'s own roots, as Node would', () => {
    const extra = extraCaFor({ NODE_EXTRA_CA_CERTS: '/ca.pem' }, { registry: 'https://r/' }, read);
    expect(extra).toEqual({ file: '/ca.pem', pem: PEM });
    const env: Record<string, string | undefined> = {};
    const out = withExtraCa({ registry: 'https://r/' }, extra, env);
    expect(out.ca).toEqual([...rootCertificates, PEM]);
    expect(out.registry).toBe('https://r/');
    expect(env.NODE_EXTRA_CA_CERTS, 'again for the processes the engine starts').toBe('/ca.pem');
  });

  it('npm names its own CA (cafile / ca): the file is not read, the options unchanged (Node ignores the extra certificates then)', () => {
    const options = { ca: ['mine'] };
    const extra = extraCaFor({ NODE_EXTRA_CA_CERTS: '/ca.pem' }, options, () => { throw new Error('read'); });
    expect(extra).toEqual({ file: '/ca.pem' });
    expect(withExtraCa(options, extra, {})).toBe(options);
  });

  it('no variable: nothing; a file this process cannot read: the usual roots (Node warned as it started)', () => {
    const options = { ca: null };
    expect(extraCaFor({}, options, read)).toBeUndefined();
    expect(withExtraCa(options, undefined, {})).toBe(options);
    const unreadable = extraCaFor({ NODE_EXTRA_CA_CERTS: '/root-only.pem' }, options, read);
    expect(unreadable).toEqual({ file: '/root-only.pem' });
    expect(withExtraCa(options, unreadable, {})).toBe(options);
  });
});
