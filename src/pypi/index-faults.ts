/**
 * Pure: what the guard saw go wrong between pip and the index (GuardSidecar.indexFailures) → one line
 * naming the index and the failure, or undefined when nothing went wrong that matters.
 *
 * A project page that answers 404 is the index saying "no such project" (pip's own "no matching
 * distribution" stands). Anything else — 5xx, 429, a timeout, a refused or broken connection, a page
 * pip could not read, a listed file that is missing or whose hash differs — means the set pip chose
 * could not be verified against every index (an extra index that failed is how dependency confusion
 * slips through): safe-pip stops with 68 and says so.
 */
import type { GuardIndexFailure, GuardSidecar } from './pip-guard.js';

const DIST_FILE = /\.(whl|tar\.gz|zip|tar\.bz2|tgz|tar)$/i;

export function indexFault(side: Pick<GuardSidecar, 'indexFailures' | 'indexUrls'> | undefined): string | undefined {
  for (const failure of side?.indexFailures ?? []) {
    const line = describeFailure(failure, side?.indexUrls ?? []);
    if (line) return line;
  }
  return undefined;
}

function describeFailure(f: GuardIndexFailure, indexUrls: readonly string[]): string | undefined {
  let url: URL | undefined;
  try {
    url = f.url ? new URL(f.url) : undefined;
  } catch {
    url = undefined;
  }
  if (url && !/^https?:$/.test(url.protocol)) return undefined;
  const isFile = url ? DIST_FILE.test(url.pathname) : false;
  if (statusOf(f) === 404 && !isFile) return undefined;
  const where = url ? `${url.protocol}//${url.host}/` : indexUrls[0] ? originOf(indexUrls[0]) : 'the index';
  const subject = url ? (isFile ? decodeURIComponent(url.pathname.split('/').pop() ?? '') : url.pathname) : f.project ?? '';
  return `the index ${where} ${what(f, isFile)}${subject ? ` (${subject})` : ''}`;
}

function what(f: GuardIndexFailure, isFile: boolean): string {
  const reason = f.reason;
  if (/^Hash(Mismatch|Errors?|Missing)\b/.test(reason)) return 'served a file whose sha256 differs from the one the index lists';
  const status = statusOf(f);
  if (status) {
    const phrase = /\d{3} (?:Client|Server) Error: ([^:]+?) for url/.exec(reason)?.[1];
    return `answered ${status}${phrase ? ` ${phrase}` : ''}${isFile ? ' for a file it lists' : ''}${/too many \d{3} error responses/.test(reason) ? ' (after pip\'s retries)' : ''}`;
  }
  if (/timed? ?out/i.test(reason)) return 'did not answer in time (pip\'s --timeout)';
  if (/JSONDecodeError|not valid JSON|Expecting value|Unterminated/i.test(reason)) return `answered a page pip could not read (${reason.slice(0, 120)})`;
  if (/IncompleteRead|ChunkedEncodingError|ProtocolError|Connection broken|reset by peer/i.test(reason)) return 'broke off the answer midway';
  if (/refused|NewConnectionError|Name or service not known|connection error|Max retries exceeded/i.test(reason)) return 'could not be reached (or redirected to a host that cannot)';
  return `failed: ${reason.slice(0, 160)}`;
}

/** The HTTP status: as recorded, or as pip's message states it (after retries; wrapped in an InstallationError). */
function statusOf(f: GuardIndexFailure): number | undefined {
  if (f.status) return f.status;
  const stated = /too many (\d{3}) error responses/.exec(f.reason)?.[1] ?? /\b(\d{3}) (?:Client|Server) Error\b/.exec(f.reason)?.[1];
  return stated ? Number(stated) : undefined;
}

function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/`;
  } catch {
    return url;
  }
}
