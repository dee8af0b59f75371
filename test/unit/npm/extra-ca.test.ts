import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { EXTRA_CA_VARIABLE, withExtraCa } from '../../../src/npm/extra-ca.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('withExtraCa: NODE_EXTRA_CA_CERTS applied by npm\'s engine itself', () => {
  const read = (file: string) => (file === '/ca.pem' ? PEM : (() => { throw new Error(`ENOENT: no such file, open '${file}'`); })());

  it('npm names no CA: Node\'s own roots and the file\'s certificates, as Node would trust them', () => {
    const out = withExtraCa({ registry: 'https://r/' }, { [EXTRA_CA_VARIABLE]: '/ca.pem' }, () => {}, read);
    expect(out.ca).toEqual([...rootCertificates, PEM]);
    expect(out.registry).toBe('https://r/');
  });

  it('npm names its own CA (cafile / ca): unchanged, as Node ignores the extra certificates then', () => {
    const options = { ca: ['mine'] };
    expect(withExtraCa(options, { [EXTRA_CA_VARIABLE]: '/ca.pem' }, () => {}, read)).toBe(options);
  });

  it('no variable: unchanged; an unreadable file: Node\'s own warning, and the usual roots', () => {
    const options = { ca: null };
    expect(withExtraCa(options, {}, () => {}, read)).toBe(options);
    const lines: string[] = [];
    expect(withExtraCa(options, { [EXTRA_CA_VARIABLE]: '/gone.pem' }, (l) => lines.push(l), read)).toBe(options);
    expect(lines).toEqual(["Warning: Ignoring extra certs from `/gone.pem`, load failed: ENOENT: no such file, open '/gone.pem'\n"]);
  });
});
