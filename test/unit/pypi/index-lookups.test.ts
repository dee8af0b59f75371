/**
 * IndexLookups with the pages pip read (issue 13 item 5, issue 10 speed): a page with upload times
 * is the whole answer; an HTML page stands in for the simple page; nothing pip read is asked for again.
 */
import { describe, expect, it } from 'vitest';
import { IndexLookups, answerFromPage, type Fetcher } from '../../../src/pypi/pypi-index.js';

const INDEX = 'http://127.0.0.1:1/simple';

function recordingFetcher(answers: Record<string, { status: number; type?: string; body: string }>) {
  const asked: string[] = [];
  const fetcher: Fetcher = async (url) => {
    asked.push(url);
    const a = answers[url] ?? { status: 404, body: 'not found' };
    return { status: a.status, headers: { get: () => a.type ?? 'text/html' }, text: async () => a.body };
  };
  return { asked, fetcher };
}

const pep691 = (times: boolean) => answerFromPage({
  url: `${INDEX}/x/`, contentType: 'application/vnd.pypi.simple.v1+json',
  body: JSON.stringify({ name: 'x', files: [{ filename: 'x-1.0-py3-none-any.whl', ...(times ? { 'upload-time': '2024-01-01T00:00:00Z' } : {}) }] }),
})!;

describe('IndexLookups and the pages pip read', () => {
  it('a PEP 691 page with upload times is the answer: nothing is fetched', async () => {
    const { asked, fetcher } = recordingFetcher({});
    const lookups = new IndexLookups({ fetcher });
    lookups.known(INDEX, 'X', pep691(true));
    expect((await lookups.project(INDEX, 'x')).kind).toBe('pep691');
    expect(asked).toEqual([]);
  });

  it('a page without times: the JSON API is asked once; when it has nothing, pip\'s page is the answer (the simple page is not asked again)', async () => {
    const { asked, fetcher } = recordingFetcher({});
    const lookups = new IndexLookups({ fetcher });
    lookups.known(INDEX, 'x', answerFromPage({ url: `${INDEX}/x/`, contentType: 'text/html', body: '<a href="x-1.0.tar.gz">x-1.0.tar.gz</a>' })!);
    expect((await lookups.project(INDEX, 'x')).kind).toBe('html');
    expect(asked).toEqual(['http://127.0.0.1:1/pypi/x/json']);
  });

  it('without a page pip read, the JSON API and then the simple page', async () => {
    const { asked, fetcher } = recordingFetcher({});
    await new IndexLookups({ fetcher }).project(INDEX, 'x');
    expect(asked).toEqual(['http://127.0.0.1:1/pypi/x/json', `${INDEX}/x/`]);
  });
});

describe('an index without a JSON API', () => {
  it('is asked once: after its JSON API did not answer for a project pip found there, pip\'s pages answer alone', async () => {
    const { asked, fetcher } = recordingFetcher({});
    const lookups = new IndexLookups({ fetcher, limit: 1 });
    for (const n of ['a', 'b', 'c']) lookups.known(INDEX, n, answerFromPage({ url: `${INDEX}/${n}/`, contentType: 'text/html', body: '' })!);
    for (const n of ['a', 'b', 'c']) expect((await lookups.project(INDEX, n)).kind).toBe('html');
    expect(asked).toEqual(['http://127.0.0.1:1/pypi/a/json']);
  });
});

describe('an index without a JSON API, asked for many projects at once', () => {
  it('only the look-ups already in flight try it', async () => {
    const { asked, fetcher } = recordingFetcher({});
    const lookups = new IndexLookups({ fetcher, limit: 2 });
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const n of names) lookups.known(INDEX, n, answerFromPage({ url: `${INDEX}/${n}/`, contentType: 'text/html', body: '' })!);
    await Promise.all(names.map((n) => lookups.project(INDEX, n)));
    expect(asked.length).toBeLessThanOrEqual(2);
  });
});
