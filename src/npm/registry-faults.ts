/**
 * Pure: an error from npm's fetcher (npm-registry-fetch / make-fetch-happen / pacote / ssri, as npm's
 * resolver or reify reports it: a code and a one-line message) → one line that names the registry and
 * what it did wrong; undefined when the error is not the registry's (a bad spec, a conflict…).
 *
 * A registry fault means nothing could be verified or installed as vetted: exit 68, never "no
 * findings". Connection refused / no such host are caught earlier (fetch-failures.ts).
 */
import { originOf } from './fetch-failures.js';

export interface FetchErrorLike {
  code?: unknown;
  message?: unknown;
}

/**
 * `phase`: 'metadata' while resolving (a 404 there is npm's "no such package", not a fault) or
 * 'tarball' while installing the vetted tree (a 404 for a version the registry listed is a fault).
 */
export function registryFault(error: FetchErrorLike, phase: 'metadata' | 'tarball', fallbackRegistry?: string): string | undefined {
  const code = typeof error.code === 'string' ? error.code : '';
  const message = typeof error.message === 'string' ? error.message.split('\n')[0]! : '';
  const what = describe(code, message, phase);
  if (!what) return undefined;
  const url = /\bhttps?:\/\/[^\s'"<>]+/.exec(message)?.[0]?.replace(/[:,.;)]+$/, '');
  const registry = url ? originOf(url) : fallbackRegistry ? originOf(fallbackRegistry) : '(npm\'s configured registry)';
  const subject = (url ? packageOfUrl(url) : undefined) ?? (code === 'ENOVERSIONS' ? /for (\S+)$/.exec(message)?.[1] : undefined);
  const where = subject ? ` for ${subject}` : phase === 'tarball' ? ' while the vetted tarballs were downloaded' : '';
  return `the registry ${registry} ${what}${where}`;
}

function describe(code: string, message: string, phase: 'metadata' | 'tarball'): string | undefined {
  const status = /^E(\d{3})$/.exec(code)?.[1];
  if (status) {
    if (status === '404' && phase === 'metadata') return undefined;
    // npm-registry-fetch: "500 Internal Server Error - GET <url> - <body>"
    const line = /^(\d{3}[^-]*?)\s+-\s/.exec(message)?.[1]?.trim() ?? status;
    return `answered ${line}`;
  }
  if (code === 'EINTEGRITY') return 'served a tarball whose integrity differs from what its packument records (EINTEGRITY)';
  if (/network timeout|timed? ?out/i.test(message) || ['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_TIMEOUT'].includes(code)) {
    return 'did not answer in time (npm\'s fetch-timeout)';
  }
  // npm-registry-fetch's words for a registry document that is not JSON (EJSONPARSE is the project's own package.json).
  if (/invalid json response body/i.test(message)) return 'answered with a document that is not valid JSON';
  if (['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE'].includes(code) || /^aborted$|premature close|Invalid response body/i.test(message)) {
    return `broke off the answer midway (${code || 'connection closed'})`;
  }
  if (code === 'EMAXREDIRECT' || code === 'ENOREDIRECT' || /redirect/i.test(message) && code.startsWith('E')) return `redirected the request away (${code})`;
  if (code === 'ENOVERSIONS') return 'listed no usable version (ENOVERSIONS)';
  return undefined;
}

/** "name" or "name@version" from a registry URL (`/<name>`, `/<name>/-/<file>-<version>.tgz`). */
function packageOfUrl(url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  const tarball = /(?:^|\/)((?:@[^/]+\/)?[^/@]+)\/-\/[^/]+-(\d+\.\d+\.\d+[^/]*?)\.tgz$/.exec(path);
  if (tarball) return `${tarball[1]}@${tarball[2]}`;
  if (path.includes('/-/')) return undefined;
  // A registry may live under a path (https://host/api/npm/): the name is the last segment(s).
  const parts = path.split('/').filter(Boolean);
  const last = parts.at(-1);
  if (!last) return undefined;
  return parts.length > 1 && parts.at(-2)!.startsWith('@') ? `${parts.at(-2)}/${last}` : last;
}
