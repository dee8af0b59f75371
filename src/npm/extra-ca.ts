/**
 * NODE_EXTRA_CA_CERTS for npm's engine, applied once it runs instead of as it starts: Node 20 reads
 * and parses the file before any code (a system bundle: about 50 ms of every install's critical path).
 * tree-install.ts hands the file on under another name; the worker trusts what Node would have:
 * its own root certificates and the file's — only when npm's options name no CA of their own, since a
 * connection given its own CAs ignores the extra ones in Node too.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

export const EXTRA_CA_VARIABLE = 'SAFE_NPM_EXTRA_CA_CERTS';

export function withExtraCa(
  options: Record<string, unknown>,
  env: Record<string, string | undefined>,
  warn: (line: string) => void,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): Record<string, unknown> {
  const file = env[EXTRA_CA_VARIABLE];
  if (!file || options.ca) return options;
  try {
    // One string may hold many certificates: Node's TLS reads them all, as it reads the variable's file.
    return { ...options, ca: [...rootCertificates, read(file)] };
  } catch (error) {
    // Node's own words when it cannot load the file (the install goes on with the usual roots).
    warn(`Warning: Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}\n`);
    return options;
  }
}
