import { DYNAMIC_CODE, firstLine, lineAt, NETWORK_CALL, networkLine, SPAWN } from '../patterns.js';
import type { ScanDocument, ScanRule } from '../types.js';

const DOWNLOADER = String.raw`(?:curl|wget|Invoke-WebRequest|iwr|Invoke-RestMethod|irm)`;
/** `curl … | sh`, `curl … | tee x | sh`, `iwr … | iex` (one pipe, not `||`). */
const PIPE_TO_INTERPRETER = new RegExp(String.raw`\b${DOWNLOADER}\b[^\n;&]*?(?<!\|)\|(?!\|)\s*(?:sudo\s+)?(?:ba|z|da)?(?:sh|node|python3?|perl|ruby|iex|Invoke-Expression)\b`, 'i');
/** A download handed to a shell as its code: `sh -c "$(curl …)"`, `eval "$(wget -O- …)"`, `bash <(curl …)`, `source <(curl …)`. */
const SUBSTITUTED_INTO_SHELL = new RegExp(String.raw`(?:\b(?:(?:ba|z|da)?sh\s+-c|eval|source)|(?:^|[\s;&|(])\.)\s+["']?(?:\$\(|<\(|\x60)\s*${DOWNLOADER}\b|\b(?:(?:ba|z|da)?sh|source)\s+<\(\s*${DOWNLOADER}\b`, 'i');
/** A download saved, (made executable,) and run in one command: `curl -sLo f … && chmod +x f && ./f`. */
const SAVE_AND_RUN = /\b(?:curl|wget)\b[^\n]*?(?:\s-[a-zA-Z]*o\s*|\s--output[=\s]\s*|\s-O\s*|>\s*)([\w./~$%\\-]+)[^\n]*?(?:&&|;)\s*(?:chmod\s+\S+[^\n]*?(?:&&|;)\s*)?(?:\.\/|sh\s+|bash\s+|node\s+|start\s+)?\1(?![\w./-])/i;
/** Windows' certutil as a downloader, and the file it saved run. */
const CERTUTIL_AND_RUN = /\bcertutil(?:\.exe)?\b[^\n]*-urlcache[^\n]*?\s(\S+)\s*(?:&&|&|;)\s*(?:start\s+)?\1(?!\S)/i;
/** PowerShell evaluating what it downloads: `IEX (New-Object Net.WebClient).DownloadString(…)`. */
const IEX_DOWNLOAD = /\b(?:iex|Invoke-Expression)\b[^\n]*\b(?:DownloadString|DownloadData|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b/i;
const ENCODED_POWERSHELL = /\bpowershell(?:\.exe)?\b[^\n]*\s-(?:e|enc|encodedcommand)\s+[A-Za-z0-9+/=]{20,}/i;
/** A package fetched from a URL or git and run: `npx -y https://…/pkg.tgz`, `npm exec github:…`. */
const RUN_FROM_URL = /\b(?:npx|bunx|pnpm\s+dlx|npm\s+(?:exec|x))\s+(?:-{1,2}[\w-]+(?:=\S+)?\s+)*['"]?(?:https?:\/\/|git(?:\+\w+)?:|github:|gitlab:|bitbucket:|gist:)/i;
/** `node -e "<code>"` / `node -p` (flags before it too), `python -c "<code>"`: inline code, judged as its language. */
const INLINE_CODE = /\b(node|python3?)\s+(?:--?[\w-]+(?:=\S+)?\s+)*?(?:-e|--eval|-p|--print|-c)\s+(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/g;

const SHELL_SHAPES = [
  [PIPE_TO_INTERPRETER, 'pipes a download into an interpreter'],
  [SUBSTITUTED_INTO_SHELL, 'runs a download as shell code'],
  [SAVE_AND_RUN, 'downloads a file and runs it'],
  [CERTUTIL_AND_RUN, 'downloads a file with certutil and runs it'],
  [IEX_DOWNLOAD, 'evaluates a download in PowerShell'],
  [ENCODED_POWERSHELL, 'runs encoded PowerShell'],
  [RUN_FROM_URL, 'runs a package fetched from a URL'],
] as const;

/**
 * Download and execute: the payload arrives at install time and runs, so what was vetted is not what
 * runs. Shell pipelines into an interpreter; JavaScript or Python that fetches and evaluates code; a
 * JavaScript file that runs such a shell command (`execSync('curl … | bash')`).
 * (esbuild's install.js downloads its own binary from the registry and runs `--version` on it: a
 * download and a spawn, but no code built from what was downloaded; it does not fire.)
 */
export const downloadExecute: ScanRule = {
  id: 'download-execute',
  confidence: 'high',
  scan(doc) {
    if (doc.kind === 'shell' || doc.kind === 'gyp') {
      const out = shellShapes(doc);
      for (const m of doc.text.matchAll(INLINE_CODE)) {
        const language = m[1] === 'node' ? 'js' : 'python';
        if (language === 'js' && /-c\s/.test(m[0]) && !/-(?:e|p)\s|--(?:eval|print)\s/.test(m[0])) continue; // node -c is a syntax check
        const code = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
        const spawns = language === 'js' ? /\b(?:spawn|exec)\w*\s*\(/.test(code) : SPAWN.python.test(code);
        if (NETWORK_CALL[language].test(code) && (DYNAMIC_CODE[language].test(code) || spawns)) {
          out.push({ line: lineAt(doc, m.index!), message: `inline ${m[1]} code downloads and runs code` });
        }
      }
      return out;
    }
    const out = fetchesAndEvaluates(doc);
    // Shell commands a JavaScript file runs are read as shell.
    if (doc.kind === 'js' && SPAWN.js.test(doc.text)) out.push(...shellShapes(doc));
    return out;
  },
};

function shellShapes(doc: ScanDocument): Array<{ line: number; message: string }> {
  const out: Array<{ line: number; message: string }> = [];
  for (const [re, what] of SHELL_SHAPES) {
    const line = firstLine(doc, re);
    if (line !== undefined) out.push({ line, message: what });
  }
  return out;
}

function fetchesAndEvaluates(doc: ScanDocument): Array<{ line: number; message: string }> {
  const network = networkLine(doc);
  const dynamic = firstLine(doc, DYNAMIC_CODE[doc.kind]);
  if (network === undefined || dynamic === undefined) return [];
  return [{ line: dynamic, message: `evaluates code at run time in a file that downloads (network call on line ${network})` }];
}
