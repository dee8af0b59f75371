import { lineAt } from '../patterns.js';
import type { ScanDocument, ScanRule } from '../types.js';

/**
 * Code run straight out of a decoder: `eval(Buffer.from(x, 'base64').toString())`,
 * `new Function(atob(x))()`, `Function(String.fromCharCode(...codes))()`, Python's
 * `exec(base64.b64decode(x))`. Install-time code has no reason to hide from its reader; however short
 * the encoded text, this is a payload (encoded-eval is the weaker sign: a long blob and an eval apart).
 */
const DECODED_EVAL: Partial<Record<ScanDocument['kind'], RegExp>> = {
  js: /(?:\beval|\beval\s*\)|\bFunction|\brunIn(?:This|New)?Context|\._compile)\s*\(\s*(?:[\w$.]+\s*\(\s*)*(?:Buffer\.from|atob|String\.fromCharCode|unescape|decodeURIComponent)\s*\(/,
  python: /\b(?:exec|eval)\s*\(\s*(?:[\w.]+\s*\(\s*)*(?:base64\.\w*b(?:64|32|16|85)decode|codecs\.decode|zlib\.decompress|bytes\.fromhex|marshal\.loads)\s*\(/,
};

export const decodedEval: ScanRule = {
  id: 'decoded-eval',
  confidence: 'high',
  scan(doc) {
    const re = DECODED_EVAL[doc.kind];
    const m = re?.exec(doc.text);
    return m ? [{ line: lineAt(doc, m.index), message: 'runs code it has just decoded (an encoded payload)' }] : [];
  },
};
