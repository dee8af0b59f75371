/**
 * NODE_EXTRA_CA_CERTS for npm's engine, applied once it runs instead of as it starts: Node 20 reads
 * and parses the file before any code (a system bundle: about 50 ms of every install's critical path),
 * so the engine is started without the variable (tree-install.ts). The invoking process reads the
 * file — as itself: root's own CA file may be readable by root alone, and npm's engine runs as the
 * install identity — and sends it with the request; the engine trusts what Node would have: its own
 * root certificates and the file's, only when npm's options name no CA of their own (a connection given
 * its own CAs ignores the extra ones in Node too). The variable is set again in the engine for the
 * processes it starts (npm for a git dependency's preparation).
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

export interface ExtraCa {
  file: string;
  /** The file's text; absent when this process could not read it (Node said so as it started). */
  pem?: string;
}

/** In the invoking process: the file NODE_EXTRA_CA_CERTS names, read when npm's options name no CA. */
export function extraCaFor(
  env: Record<string, string | undefined>,
  options: Record<string, unknown>,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): ExtraCa | undefined {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return undefined;
  if (options.ca) return { file };
  try {
    return { file, pem: read(file) };
  } catch {
    return { file };
  }
}

/** In npm's engine: npm's options with the extra certificates as Node would have trusted them. */
export function withExtraCa(options: Record<string, unknown>, extra: ExtraCa | undefined, env: Record<string, string | undefined>): Record<string, unknown> {
  if (!extra) return options;
  env.NODE_EXTRA_CA_CERTS = extra.file;
  if (options.ca || extra.pem === undefined) return options;
  // One string may hold many certificates: Node's TLS reads them all, as it reads the variable's file.
  return { ...options, ca: [...rootCertificates, extra.pem] };
}
