import { DYNAMIC_CODE, firstLine, NETWORK_CALL } from '../patterns.js';
import type { ScanDocument, ScanRule } from '../types.js';

/** `curl … | sh`, `iwr … | iex`, a download saved, made executable and run in one command. */
const PIPE_TO_INTERPRETER = /\b(?:curl|wget|Invoke-WebRequest|iwr|Invoke-RestMethod|irm)\b[^\n|;&]*\|\s*(?:sudo\s+)?(?:ba|z|da)?(?:sh|node|python3?|perl|ruby|iex|Invoke-Expression)\b/i;
const SAVE_AND_RUN = /\b(?:curl|wget)\b[^\n]*?(?:-o\s*|-O\s*|>\s*)([\w./~$-]+)[^\n]*?(?:&&|;)\s*(?:chmod\s+[+0-7a-z]*x[^\n]*?(?:&&|;)\s*)?(?:\.\/|sh\s+|bash\s+|node\s+)?\1\b/i;
const ENCODED_POWERSHELL = /\bpowershell(?:\.exe)?\b[^\n]*\s-(?:e|enc|encodedcommand)\s+[A-Za-z0-9+/=]{20,}/i;
/** `node -e "<code>"` / `node -p`: inline code, judged as JavaScript. */
const INLINE_NODE = /\bnode\s+(?:-e|--eval|-p|--print)\s+(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/g;

/**
 * Download and execute: the payload arrives at install time and runs, so what was vetted is not what
 * runs. Shell pipelines into an interpreter; JavaScript or Python that fetches and evaluates code.
 * (esbuild's install.js downloads its own binary from the registry and runs `--version` on it: a
 * download and a spawn, but no code built from what was downloaded; it does not fire.)
 */
export const downloadExecute: ScanRule = {
  id: 'download-execute',
  confidence: 'high',
  scan(doc) {
    const out: Array<{ line: number; message: string }> = [];
    if (doc.kind === 'shell' || doc.kind === 'gyp') {
      for (const [re, what] of [[PIPE_TO_INTERPRETER, 'pipes a download into an interpreter'], [SAVE_AND_RUN, 'downloads a file and runs it'], [ENCODED_POWERSHELL, 'runs encoded PowerShell']] as const) {
        const line = firstLine(doc, re);
        if (line !== undefined) out.push({ line, message: what });
      }
      for (const m of doc.text.matchAll(INLINE_NODE)) {
        const code = (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1');
        if (NETWORK_CALL.js.test(code) && (DYNAMIC_CODE.js.test(code) || /\b(?:spawn|exec)\w*\s*\(/.test(code))) {
          out.push({ line: firstLine(doc, /\bnode\s+(?:-e|--eval|-p|--print)\b/) ?? 1, message: 'inline node code downloads and runs code' });
        }
      }
      return out;
    }
    return fetchesAndEvaluates(doc);
  },
};

function fetchesAndEvaluates(doc: ScanDocument): Array<{ line: number; message: string }> {
  const network = firstLine(doc, NETWORK_CALL[doc.kind]);
  const dynamic = firstLine(doc, DYNAMIC_CODE[doc.kind]);
  if (network === undefined || dynamic === undefined) return [];
  return [{ line: dynamic, message: `evaluates code at run time in a file that downloads (network call on line ${network})` }];
}
