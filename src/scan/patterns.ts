/** Shared regular expressions and helpers for the scan rules. */
import type { ContentFinding, ScanDocument } from './types.js';

/** Network calls (not URLs in strings: a banner with links is not network use). */
export const NETWORK_CALL: Record<ScanDocument['kind'], RegExp> = {
  js: /\b(?:https?\.(?:get|request)|fetch|axios(?:\.\w+)?|got|needle|XMLHttpRequest|net\.(?:connect|createConnection)|tls\.connect|dns\.(?:resolve\w*|lookup)|dgram\.createSocket|WebSocket)\s*\(|\brequire\(\s*['"](?:node:)?(?:https?|net|tls|dgram)['"]\s*\)\.(?:get|request|connect)\b/,
  shell: /\b(?:curl|wget|Invoke-WebRequest|iwr|Invoke-RestMethod|irm|nc|ncat|Start-BitsTransfer)\b/i,
  python: /\b(?:urllib\.request\.urlopen|urlopen|requests\.(?:get|post|put)|http\.client\.HTTPS?Connection|socket\.(?:socket|create_connection)|urllib\.request\.urlretrieve)\s*\(/,
  gyp: /\b(?:curl|wget)\b|https?\.get\s*\(/,
};

/** Code built from data and run: eval, new Function, vm, Python exec/eval. */
export const DYNAMIC_CODE: Record<ScanDocument['kind'], RegExp> = {
  js: /\beval\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(\s*[a-zA-Z_$]|\bvm\.(?:runIn\w*|Script|compileFunction)\b|\brequire\(\s*['"](?:node:)?vm['"]\s*\)/,
  shell: /\beval\b|\|\s*(?:ba|z|da)?sh\b|\|\s*(?:node|python3?|perl|iex|Invoke-Expression)\b/i,
  python: /\bexec\s*\(|\beval\s*\(|\bcompile\s*\(/,
  gyp: /\beval\s*\(/,
};

/** Running other programs. */
export const SPAWN: Record<ScanDocument['kind'], RegExp> = {
  js: /\b(?:exec|execSync|execFile|execFileSync|spawn|spawnSync|fork)\s*\(/,
  shell: /.^/, // a shell command runs programs by nature: judged by the rules themselves
  python: /\b(?:os\.system|os\.popen|subprocess\.(?:run|call|check_call|check_output|Popen)|os\.exec\w*)\s*\(/,
  gyp: /.^/,
};

/** The line number (1-based, within the document's file) of a character offset. */
export function lineAt(doc: ScanDocument, offset: number): number {
  let line = doc.firstLine ?? 1;
  for (let i = 0; i < offset && i < doc.text.length; i++) if (doc.text.charCodeAt(i) === 10) line++;
  return line;
}

/** First match of `re` in the document: its line, or undefined. */
export function firstLine(doc: ScanDocument, re: RegExp): number | undefined {
  const m = new RegExp(re.source, re.flags.replace('g', '')).exec(doc.text);
  return m ? lineAt(doc, m.index) : undefined;
}

export function excerptOf(doc: ScanDocument, line: number): string {
  const text = doc.text.split('\n')[line - (doc.firstLine ?? 1)] ?? '';
  const one = text.trim().replace(/\s+/g, ' ');
  return one.length <= 120 ? one : `${one.slice(0, 119)}…`;
}

export function toFinding(rule: { id: string; confidence: ContentFinding['confidence'] }, doc: ScanDocument, hit: { line: number; message: string }): ContentFinding {
  return { rule: rule.id, confidence: rule.confidence, message: hit.message, file: doc.path, line: hit.line, excerpt: excerptOf(doc, hit.line) };
}
