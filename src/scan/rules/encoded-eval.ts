import { DYNAMIC_CODE, firstLine } from '../patterns.js';
import type { ScanRule } from '../types.js';

/** A long base64 or hex literal, or a long run of `\xNN` escapes. */
const BLOB = /['"`](?:[A-Za-z0-9+/]{200,}={0,2}|(?:[0-9a-fA-F]{2}){100,})['"`]|(?:\\x[0-9a-fA-F]{2}){50,}/;

/** A long encoded blob in a file that also evaluates code: a payload hidden from reviewers. */
export const encodedEval: ScanRule = {
  id: 'encoded-eval',
  confidence: 'medium',
  scan(doc) {
    if (doc.kind === 'gyp') return [];
    const blob = firstLine(doc, BLOB);
    const dynamic = firstLine(doc, DYNAMIC_CODE[doc.kind]);
    if (blob === undefined || dynamic === undefined) return [];
    return [{ line: blob, message: `a long encoded string and code evaluated at run time (line ${dynamic})` }];
  },
};
