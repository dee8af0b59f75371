/** Shared regular expressions and helpers for the scan rules. */
import type { ContentFinding, ScanDocument } from './types.js';

/** Node's network modules, loaded: what a file can reach the network with whatever it names the module. */
const NODE_NETWORK_MODULE = String.raw`(?:node:)?(?:https?|http2|net|tls|dgram|dns)`;

/** Network calls (not URLs in strings: a banner with links is not network use). */
export const NETWORK_CALL: Record<ScanDocument['kind'], RegExp> = {
  js: /\b(?:https?\.(?:get|request)|fetch|axios(?:\.\w+)?|got|needle|XMLHttpRequest|net\.(?:connect|createConnection)|tls\.connect|dns\.(?:resolve\w*|lookup)|dgram\.createSocket|WebSocket)\s*\(|\brequire\(\s*['"](?:node:)?(?:https?|net|tls|dgram)['"]\s*\)\.(?:get|request|connect)\b/,
  shell: /\b(?:curl|wget|Invoke-WebRequest|iwr|Invoke-RestMethod|irm|nc|ncat|Start-BitsTransfer|bitsadmin|DownloadString|DownloadFile|DownloadData)\b|\bNet\.WebClient\b|\bcertutil(?:\.exe)?\b[^\n]*-urlcache/i,
  python: /\b(?:urllib\.request\.urlopen|urlopen|requests\.(?:get|post|put)|http\.client\.HTTPS?Connection|socket\.(?:socket|create_connection)|urllib\.request\.urlretrieve)\s*\(/,
  gyp: /\b(?:curl|wget)\b|https?\.get\s*\(/,
};

/** JavaScript that loads one of node's network modules, under whatever name (`const h = require('https')`). */
export const NETWORK_MODULE_JS = new RegExp([
  String.raw`\brequire\(\s*['"]${NODE_NETWORK_MODULE}['"]\s*\)`,
  String.raw`\bimport\(\s*['"]${NODE_NETWORK_MODULE}['"]\s*\)`,
  String.raw`\bfrom\s+['"]${NODE_NETWORK_MODULE}['"]`,
].join('|'));

/** The line of a document's network use: a call where one is written out, else a network module loaded. */
export function networkLine(doc: ScanDocument): number | undefined {
  return firstLine(doc, NETWORK_CALL[doc.kind]) ?? (doc.kind === 'js' ? firstLine(doc, NETWORK_MODULE_JS) : undefined);
}

/** A download command inside a JavaScript string (what `exec('curl …')` runs). */
export const SHELL_NETWORK_IN_STRING = /['"`][^'"`\n]*\b(?:curl|wget|Invoke-WebRequest|iwr|Invoke-RestMethod|certutil)\b/i;

/** Code built from data and run: eval (direct or not), new Function, vm, a module compiled from text, Python exec/eval. */
export const DYNAMIC_CODE: Record<ScanDocument['kind'], RegExp> = {
  js: /\beval\s*\(|\beval\s*\)\s*\(|\b(?:globalThis|global|window|self)\s*\[\s*['"]eval['"]\s*\]|\bnew\s+Function\s*\(|\bFunction\s*\(\s*[a-zA-Z_$]|\bvm\.(?:runIn\w*|Script|compileFunction)\b|\brequire\(\s*['"](?:node:)?vm['"]\s*\)|\._compile\s*\(/,
  shell: /\beval\b|\|\s*(?:ba|z|da)?sh\b|\|\s*(?:node|python3?|perl|iex|Invoke-Expression)\b/i,
  python: /\bexec\s*\(|\beval\s*\(|\bcompile\s*\(/,
  gyp: /\beval\s*\(/,
};

/** Running other programs (also by a computed name, `cp['ex'+'ec']`, or node's internal binding). */
export const SPAWN: Record<ScanDocument['kind'], RegExp> = {
  js: /\b(?:exec|execSync|execFile|execFileSync|spawn|spawnSync|fork)\s*\(|\[\s*['"](?:exec|execSync|execFile|execFileSync|spawn|spawnSync|fork)['"]\s*\]\s*\(|\bprocess\.binding\s*\(\s*['"](?:spawn_sync|process_wrap)['"]/,
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

/**
 * The text the rules read: the same length and lines as the document (findings keep their line), with
 * what only a reader sees taken out and what a hider splits put back together:
 *   - comments blanked (JavaScript `//` and `/* *​/`, shell and Python `#`): a comment that says
 *     "add IBM_DB_INSTALLER_URL in .npmrc" is not a read of `.npmrc`;
 *   - JavaScript string escapes decoded (`'\x2e\x6e\x70\x6d\x72\x63'` is `'.npmrc'`) and string
 *     pieces on one line joined (`'.np'+'mrc'`, `require('ht'+'tps')`, `['ex'+'ec']`).
 * Each change is padded with spaces after it, so offsets past the line stay where they were.
 */
export function readableText(doc: ScanDocument): string {
  if (doc.kind === 'js') return joinStringPieces(jsWithoutComments(doc.text));
  if (doc.kind === 'shell' || doc.kind === 'python') return hashCommentsBlanked(doc.text);
  return doc.text;
}

/**
 * JavaScript with comments replaced by spaces (newlines kept). Strings, template literals (with their
 * `${…}` code) and regular expressions are skipped whole. A `/` that is not a comment is taken for a
 * regular expression when one closes on the same line: read wrongly (a division), that can only leave
 * a comment in place — a false alarm at worst, never code blanked out as a comment.
 */
function jsWithoutComments(text: string): string {
  // Comments found, as [from, to) ranges; the text is rebuilt once at the end.
  const comments: number[] = [];
  const blank = (from: number, to: number) => {
    comments.push(from, to);
  };
  // Brace depth of the code inside each open template's `${`, innermost last.
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  /** Template text from `i` to its closing backtick (returns past it) or to a `${` (returns past it, in code). */
  const templateMarks = /[\\`$]/g;
  const templateText = (from: number): number => {
    templateMarks.lastIndex = from;
    for (let m = templateMarks.exec(text); m; m = templateMarks.exec(text)) {
      const k = m.index;
      const c = text[k]!;
      if (c === '\\') templateMarks.lastIndex = k + 2;
      else if (c === '`') return k + 1;
      else if (text[k + 1] === '{') {
        templates.push(depth);
        depth++;
        return k + 2;
      }
    }
    return text.length;
  };
  // Only these characters change what the tokenizer is reading: the rest is skipped by the search.
  const interesting = /["'`/{}]/g;
  while (i < text.length) {
    interesting.lastIndex = i;
    const found = interesting.exec(text);
    if (!found) break;
    i = found.index;
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      i = stringEnd(text, i);
    } else if (c === '`') {
      i = templateText(i + 1);
    } else if (c === '/') {
      i = regexEnd(text, i) ?? i + 1;
    } else if (c === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      depth--;
      i++;
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        i = templateText(i);
      }
    } else {
      i++;
    }
  }
  if (comments.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (let k = 0; k < comments.length; k += 2) {
    const from = comments[k]!;
    const to = comments[k + 1]!;
    parts.push(text.slice(at, from), text.slice(from, to).replace(/[^\n]/g, ' '));
    at = to;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

const STRING_STOPS: Record<string, RegExp> = { '"': /["\\\n]/g, "'": /['\\\n]/g };

/** The index just past the string literal opening at `start` (its line's end for an unclosed one). */
function stringEnd(text: string, start: number): number {
  const stops = STRING_STOPS[text[start]!]!;
  stops.lastIndex = start + 1;
  for (let m = stops.exec(text); m; m = stops.exec(text)) {
    const c = text[m.index]!;
    if (c === '\\') stops.lastIndex = m.index + 2;
    else if (c === '\n') return m.index;
    else return m.index + 1;
  }
  return text.length;
}

/** Past a regular expression literal opening at `start` (classes and escapes read), or undefined when none closes on its line. */
function regexEnd(text: string, start: number): number | undefined {
  let inClass = false;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') return undefined;
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      let k = i + 1;
      while (k < text.length && /[a-z]/.test(text[k]!)) k++;
      return k;
    }
  }
  return undefined;
}

const STRING_LITERAL = String.raw`'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"`;
const STRING_PIECES = new RegExp(String.raw`(?:${STRING_LITERAL})(?:\s*\+\s*(?:${STRING_LITERAL}))*`, 'g');

/**
 * Each run of string literals joined by `+` (across lines too): one literal, escapes decoded, then
 * spaces and the run's newlines, so that it takes the run's room and every later line keeps its number.
 */
const ONE_STRING_LITERAL = new RegExp(STRING_LITERAL, 'g');

function joinStringPieces(text: string): string {
  return text.replace(STRING_PIECES, (run) => {
    // Most literals are one piece without escapes: nothing to join or decode.
    if (!run.includes('+') && !run.includes('\\')) return run;
    const pieces = run.match(ONE_STRING_LITERAL) ?? [];
    const joined = pieces.map((p) => decodeEscapes(p.slice(1, -1))).join('');
    // Quotes and newlines inside would change what the rest of the line reads as: left as written.
    if (/['"\n]/.test(joined)) return run;
    const literal = `'${joined}'`;
    const newlines = run.split('\n').length - 1;
    const room = run.length - newlines - literal.length;
    return room >= 0 ? literal + ' '.repeat(room) + '\n'.repeat(newlines) : run;
  });
}

/** `\xNN` and `\uNNNN` of printable ASCII decoded; other escapes as written. */
function decodeEscapes(body: string): string {
  return body.replace(/\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})/g, (all, x: string | undefined, u: string | undefined) => {
    const code = parseInt(x ?? u!, 16);
    return code >= 0x20 && code < 0x7f && code !== 0x5c ? String.fromCharCode(code) : all;
  });
}

/** Shell and Python: `#` to the end of the line blanked where it starts a comment (not inside quotes, not `$#` or `a#b`). */
function hashCommentsBlanked(text: string): string {
  return text.split('\n').map((line) => {
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i) + ' '.repeat(line.length - i);
    }
    return line;
  }).join('\n');
}
