/**
 * A registry that cannot be reached at all (connection refused, no such host) fails at once instead
 * of after npm's retry back-off (about 70 s with npm's defaults). npm's fetcher says, before each
 * retry, "GET <url> attempt N failed with <code>" through proc-log (a 'log' event on `process`); a
 * connection-level code there is the whole answer. 5xx responses and timeouts keep npm's retries.
 *
 * No imports: the arborist worker copies this file next to itself.
 */
const UNREACHABLE_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];
const ATTEMPT_FAILED = /^(\S+)\s+(\S+)\s+attempt\s+\d+\s+failed\s+with\s+(\S+)$/;

export interface Unreachable {
  code: string;
  /** The URL npm was fetching (credentials already redacted by npm). */
  url: string;
}

/** One proc-log event (level, ...args) → an Unreachable when it reports a connection-level failure. */
export function unreachableFrom(level: unknown, args: unknown[]): Unreachable | undefined {
  if (level !== 'http' || args[0] !== 'fetch' || typeof args[1] !== 'string') return undefined;
  const m = ATTEMPT_FAILED.exec(args[1]);
  if (!m || !UNREACHABLE_CODES.includes(m[3]!)) return undefined;
  return { code: m[3]!, url: m[2]! };
}

/** Call `onUnreachable` on the first connection-level fetch failure reported on `source` (`process`). */
export function watchUnreachable(source: NodeJS.EventEmitter, onUnreachable: (u: Unreachable) => void): () => void {
  let told = false;
  const listener = (level: unknown, ...args: unknown[]) => {
    const u = unreachableFrom(level, args);
    if (!u || told) return;
    told = true;
    onUnreachable(u);
  };
  source.on('log', listener);
  return () => void source.removeListener('log', listener);
}

/** "https://host:port/" of a URL, for a message that names the registry, not the package. */
export function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/`;
  } catch {
    return url;
  }
}
