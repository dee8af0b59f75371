/**
 * A registry or index that misbehaves is named with what it did (issue 14): npm's fetch errors as
 * npm's resolver and reify report them, pip's failures as the guard records them, and packuments
 * whose fields have the wrong types.
 */
import { describe, expect, it } from 'vitest';
import { registryFault } from '../../../src/npm/registry-faults.js';
import { npmFacts } from '../../../src/npm/npm-facts.js';
import { packumentShapeError } from '../../../src/npm/npm-registry.js';
import { indexFault } from '../../../src/pypi/index-faults.js';

const R = 'http://127.0.0.1:4873/';

describe('registryFault (npm)', () => {
  it.each([
    [{ code: 'E500', message: '500 Internal Server Error - GET http://127.0.0.1:4873/left-pad - internal server error' }, 'the registry http://127.0.0.1:4873/ answered 500 Internal Server Error for left-pad'],
    [{ code: 'E429', message: '429 Too Many Requests - GET http://127.0.0.1:4873/@s%2fx - rate limited' }, 'the registry http://127.0.0.1:4873/ answered 429 Too Many Requests for @s/x'],
    [{ code: 'FETCH_ERROR', message: 'network timeout at: http://127.0.0.1:4873/slow' }, 'the registry http://127.0.0.1:4873/ did not answer in time (npm\'s fetch-timeout) for slow'],
    [{ code: 'ECONNRESET', message: 'Invalid response body while trying to fetch http://127.0.0.1:4873/cut: read ECONNRESET' }, 'the registry http://127.0.0.1:4873/ broke off the answer midway (ECONNRESET) for cut'],
    [{ code: 'FETCH_ERROR', message: 'invalid json response body at http://127.0.0.1:4873/bad reason: Unexpected end of JSON input' }, 'the registry http://127.0.0.1:4873/ answered with a document that is not valid JSON for bad'],
    [{ code: 'ENOVERSIONS', message: 'No versions available for odd' }, 'the registry http://127.0.0.1:4873/ listed no usable version (ENOVERSIONS) for odd'],
  ])('metadata: %j', (error, line) => {
    expect(registryFault(error, 'metadata', R)).toBe(line);
  });

  it('a 404 while resolving is npm\'s "no such package", not a fault; a 404 for a listed tarball is one', () => {
    const e404 = { code: 'E404', message: '404 Not Found - GET http://127.0.0.1:4873/x/-/x-1.0.0.tgz - not found' };
    expect(registryFault({ ...e404, message: '404 Not Found - GET http://127.0.0.1:4873/nope - Not found' }, 'metadata', R)).toBeUndefined();
    expect(registryFault(e404, 'tarball', R)).toBe('the registry http://127.0.0.1:4873/ answered 404 Not Found for x@1.0.0');
  });

  it('tarball faults without a URL in npm\'s message name the configured registry', () => {
    expect(registryFault({ code: 'EINTEGRITY', message: 'sha512-A integrity checksum failed when using sha512: wanted sha512-A but got sha512-B. (228 bytes)' }, 'tarball', R))
      .toBe('the registry http://127.0.0.1:4873/ served a tarball whose integrity differs from what its packument records (EINTEGRITY) while the vetted tarballs were downloaded');
    expect(registryFault({ code: 'ECONNRESET', message: 'aborted' }, 'tarball', R)).toMatch(/^the registry http:\/\/127\.0\.0\.1:4873\/ broke off the answer midway/);
  });

  it('errors that are not the registry\'s are left to npm\'s own wording', () => {
    for (const e of [
      { code: 'ERESOLVE', message: 'unable to resolve dependency tree' }, { code: 'ETARGET', message: 'No matching version found for x@9' }, {},
      { code: 'EJSONPARSE', message: 'Unexpected token } in JSON at position 12 while parsing near "...": /work/p/package.json' },
    ]) {
      expect(registryFault(e, 'metadata', R)).toBeUndefined();
    }
  });
});

describe('packuments with fields of the wrong types', () => {
  it('versions that are not a map make the document unreadable (could not verify), anything else is "unknown"', () => {
    expect(packumentShapeError({ name: 'x', versions: [{ version: '1.0.0' }] })).toBe('"versions" is an array, not an object');
    expect(packumentShapeError({ name: 'x', versions: 'all' })).toBe('"versions" is string, not an object');
    expect(packumentShapeError({ name: 'x', versions: { '1.0.0': 'here' } })).toBe('versions["1.0.0"] is not an object');
    expect(packumentShapeError([])).toBe('not a JSON object');
    expect(packumentShapeError({ name: 'x', versions: { '1.0.0': { version: '1.0.0' } } })).toBeUndefined();
  });

  it('wrong-typed fields inside a readable document are unknown, never a crash or a false alarm', () => {
    const packument = {
      name: 'x', description: { evil: true }, 'dist-tags': 7, time: 'yesterday', maintainers: 'nobody',
      versions: { '1.0.0': { name: 'x', version: '1.0.0', dist: 'here', scripts: ['postinstall'], dependencies: 'all', deprecated: { not: 'text' }, repository: 42, _npmUser: [1] } },
    };
    const spec = { raw: 'x', type: 'range', name: 'x', registryName: 'x', fetchSpec: 'latest', fromRegistry: true };
    const facts = npmFacts(spec, { ok: true, packument: packument as never });
    expect(facts).toMatchObject({ version: '1.0.0', exists: true, description: null, repository: null, installScripts: {} });
    expect(facts.deprecated).toBeUndefined();
    expect(facts.unknownFields).toContain('publish times');
  });
});

describe('indexFault (pip, from the guard\'s sidecar)', () => {
  const at = (failure: object) => indexFault({ indexFailures: [failure as never], indexUrls: ['http://127.0.0.1:5000/simple'] });
  it.each([
    [{ url: 'http://127.0.0.1:5000/simple/a/', status: null, reason: 'RetryError: HTTPConnectionPool(...): Max retries exceeded with url: /simple/a/ (Caused by ResponseError(\'too many 500 error responses\'))' }, 'the index http://127.0.0.1:5000/ answered 500 (after pip\'s retries) (/simple/a/)'],
    [{ url: 'http://127.0.0.1:5000/simple/a/', status: 429, reason: '429 Client Error: Too Many Requests for url: http://127.0.0.1:5000/simple/a/' }, 'the index http://127.0.0.1:5000/ answered 429 Too Many Requests (/simple/a/)'],
    [{ url: 'http://127.0.0.1:5000/simple/a/', reason: 'connection error: HTTPConnectionPool(host=\'127.0.0.1\', port=5000): Read timed out. (read timeout=2.0)' }, 'the index http://127.0.0.1:5000/ did not answer in time (pip\'s --timeout) (/simple/a/)'],
    [{ url: null, project: 'a', reason: 'JSONDecodeError: Unterminated string starting at: line 1 column 9 (char 8)' }, 'the index http://127.0.0.1:5000/ answered a page pip could not read (JSONDecodeError: Unterminated string starting at: line 1 column 9 (char 8)) (a)'],
    [{ url: 'http://127.0.0.1:5000/files/a-1.0-py3-none-any.whl', reason: 'HashMismatch: THESE PACKAGES DO NOT MATCH THE HASHES' }, 'the index http://127.0.0.1:5000/ served a file whose sha256 differs from the one the index lists (a-1.0-py3-none-any.whl)'],
    [{ url: 'http://127.0.0.1:5000/gone/a-1.0-py3-none-any.whl', status: 404, reason: 'NetworkConnectionError: 404 Client Error: Not Found for url: http://127.0.0.1:5000/gone/a-1.0-py3-none-any.whl' }, 'the index http://127.0.0.1:5000/ answered 404 Not Found for a file it lists (a-1.0-py3-none-any.whl)'],
    [{ url: 'http://127.0.0.1:5000/gone/a-1.0-py3-none-any.whl', status: null, reason: 'InstallationError: Could not install requirement a from http://127.0.0.1:5000/gone/a-1.0-py3-none-any.whl because of HTTP error 404 Client Error: Not Found for url: http://127.0.0.1:5000/gone/a-1.0-py3-none-any.whl' }, 'the index http://127.0.0.1:5000/ answered 404 Not Found for a file it lists (a-1.0-py3-none-any.whl)'],
  ])('%j', (failure, line) => {
    expect(at(failure)).toBe(line);
  });

  it('a project page that answers 404 is "no such project" (pip says so); file:// and no failures are nothing', () => {
    expect(at({ url: 'http://127.0.0.1:5000/simple/nope/', status: 404, reason: '404 Client Error: Not Found for url: x' })).toBeUndefined();
    expect(at({ url: 'file:///tmp/wheels/', reason: 'x' })).toBeUndefined();
    expect(indexFault({})).toBeUndefined();
    expect(indexFault(undefined)).toBeUndefined();
  });
});
