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
  if (doc.kind === 'shell' || doc.kind === 'python') return hashCommentsBlanked(doc.text, doc.kind);
  return doc.text;
}

/**
 * JavaScript with comments replaced by spaces (newlines kept), or the text as it is whenever the
 * reading is not certain: blanking must never hide code that runs. A `/` is read as a regular
 * expression only where JavaScript reads one (after an operator, `(`, `,`, a keyword, the `)` of an
 * `if`/`while`/`for` head), as division after a name, a number, `]` or any other `)`; after `}` or
 * `++` the grammar decides and this reader does not, so nothing is blanked. So too for HTML-like comments (`<!--`), a string or regular expression left
 * open at the end of its line, and a template literal left open. (A trial hid `curl | sh` behind
 * `a / 2, "/*"`: the division read as a regular expression swallowed a quote.)
 */
function jsWithoutComments(text: string): string {
  if (text.includes('<!--') || text.includes('-->')) return text;
  const comments: number[] = [];
  // Brace depth of the code inside each open template's `${`, innermost last.
  const templates: number[] = [];
  let depth = 0;
  // A hashbang line is a comment to node: left as it is, not read.
  let i = text.startsWith('#!') ? Math.max(0, text.indexOf('\n')) : 0;
  if (text.startsWith('#!') && text.indexOf('\n') < 0) return text;
  const templateMarks = /[\\`$]/g;
  /** Template text from `from` to past its closing backtick, or past a `${` (then in code); -1 when it never closes. */
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
    return -1;
  };
  // For each `)`, whether it closes the head of `if`/`while`/`for`/`with` (then a `/` after it starts a
  // regular expression; after any other `)` it divides).
  const opens: boolean[] = [];
  const closesHead = new Set<number>();
  const interesting = /["'`/{}()]/g;
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
      comments.push(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) return text;
      comments.push(i, end + 2);
      i = end + 2;
    } else if (c === '"' || c === "'") {
      const end = stringEnd(text, i);
      if (end === undefined) return text;
      i = end;
    } else if (c === '`') {
      i = templateText(i + 1);
      if (i < 0) return text;
    } else if (c === '(') {
      opens.push(/(?:^|[^\w$.])(?:if|while|for|with)\s*$/.test(text.slice(Math.max(0, i - 12), i)));
      i++;
    } else if (c === ')') {
      if (opens.pop()) closesHead.add(i);
      i++;
    } else if (c === '/') {
      const regex = regexAllowedAt(text, i, closesHead);
      if (regex === undefined) return text;
      if (regex) {
        const end = regexEnd(text, i);
        if (end === undefined) return text;
        i = end;
      } else {
        i++;
      }
    } else if (c === '{') {
      depth++;
      i++;
    } else {
      depth--;
      i++;
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        i = templateText(i);
        if (i < 0) return text;
      }
    }
  }
  if (templates.length) return text;
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

/** Keywords after which JavaScript reads `/` as the start of a regular expression. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/**
 * Whether a `/` at `at` (not a comment) starts a regular expression: true, false (division), or
 * undefined where only the full grammar could tell (after `}`, `++`, `--`, `.`…).
 */
function regexAllowedAt(text: string, at: number, closesHead: ReadonlySet<number>): boolean | undefined {
  let k = at - 1;
  while (k >= 0 && /\s/.test(text[k]!)) k--;
  if (k < 0) return true;
  const p = text[k]!;
  if ('(,=:[!&|?{;~^%<>*'.includes(p)) return true;
  if (p === ')') return closesHead.has(k);
  if (p === ']') return false;
  if (p === '+' || p === '-') return text[k - 1] === p ? undefined : true;
  if (p === '"' || p === "'") return false;
  if (/[\w$]/.test(p)) {
    let w = k;
    while (w > 0 && /[\w$]/.test(text[w - 1]!)) w--;
    const word = text.slice(w, k + 1);
    let before = w - 1;
    while (before >= 0 && /\s/.test(text[before]!)) before--;
    if (before >= 0 && text[before] === '.') return false; // a property named like a keyword
    return REGEX_AFTER_WORD.has(word);
  }
  return undefined;
}

const STRING_STOPS: Record<string, RegExp> = { '"': /["\\\n]/g, "'": /['\\\n]/g };

/** The index just past the string literal opening at `start`, or undefined when it is left open at the end of its line. */
function stringEnd(text: string, start: number): number | undefined {
  const stops = STRING_STOPS[text[start]!]!;
  stops.lastIndex = start + 1;
  for (let m = stops.exec(text); m; m = stops.exec(text)) {
    const c = text[m.index]!;
    if (c === '\\') stops.lastIndex = m.index + 2;
    else if (c === '\n') return undefined;
    else return m.index + 1;
  }
  return undefined;
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

/**
 * Shell and Python: a `#` comment blanked to the end of its line, or the text as it is whenever the
 * reading is not certain. Quotes are followed across lines (and Python's triple quotes), a backslash
 * escapes the next character (`x\ #` is a word, not a comment), and `#` starts a comment only at the
 * start of a word. Heredocs, `$'…'` and Python f-strings (whose braces may hold quotes of their own)
 * are not read: nothing is blanked then. (A trial hid `curl | sh` behind a quote that spans lines.)
 */
function hashCommentsBlanked(text: string, kind: 'shell' | 'python'): string {
  if (kind === 'shell' && (text.includes('<<') || text.includes("$'"))) return text;
  if (kind === 'python' && /(?:^|[^\w])[rRbB]?[fF][rRbB]?['"]/.test(text)) return text;
  const comments: number[] = [];
  // The open quote: a quote character, or a Python triple quote.
  let quote: string | undefined;
  let escaped = -1; // the last character a backslash escaped, outside quotes
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && !(kind === 'shell' && quote === "'")) i++;
      else if (text.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = undefined;
      } else if (c === '\n' && kind === 'python' && quote.length === 1) return text; // left open: not Python
      continue;
    }
    if (c === '\\') {
      escaped = ++i;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = kind === 'python' && text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      i += quote.length - 1;
      continue;
    }
    // A word starts after an unescaped blank or an operator (an escaped one was skipped above).
    const wordStart = i === 0 || (/[\s;&|()]/.test(text[i - 1]!) && escaped !== i - 1);
    if (c === '#' && (kind === 'python' || wordStart)) {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      comments.push(i, stop);
      i = stop - 1;
    }
  }
  if (quote) return text;
  if (comments.length === 0) return text;
  let out = '';
  let at = 0;
  for (let k = 0; k < comments.length; k += 2) {
    out += text.slice(at, comments[k]) + ' '.repeat(comments[k + 1]! - comments[k]!);
    at = comments[k + 1]!;
  }
  return out + text.slice(at);
}
