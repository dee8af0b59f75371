import { firstLine, lineAt } from '../patterns.js';
import type { ScanRule } from '../types.js';

const PACKER = /eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,\s*[rd]\s*\)/;
const JSFUCK = /\[\]\[\(!\[\]\+\[\]\)/;
const MANGLED = /\b_0x[0-9a-f]{4,}\b/g;
/** javascript-obfuscator names: this many `_0x…` identifiers is not a coincidence. */
export const MIN_MANGLED_NAMES = 20;
/**
 * A line this long that is mostly encoded data (runs of base64 or hex of 100 characters or more, or
 * of `\xNN` escapes) carries a payload, not source. Entropy alone does not tell: minified code
 * reaches 5.6–5.96 bits per character (prisma's preinstall, validator.min.js), base64 6.0.
 * Inline source maps (`sourceMappingURL=data:`) are data for debuggers and are left alone.
 */
export const LONG_LINE = 2000;
export const MIN_ENCODED_SHARE = 0.5;
const ENCODED_RUN = /[A-Za-z0-9+/=]{100,}|(?:\\x[0-9a-fA-F]{2}){50,}/g;

/** Obfuscated install-time code: packers, javascript-obfuscator output, JSFuck, long lines of encoded data. */
export const obfuscation: ScanRule = {
  id: 'obfuscation',
  confidence: 'medium',
  scan(doc) {
    if (doc.kind !== 'js' && doc.kind !== 'python') return [];
    const out: Array<{ line: number; message: string }> = [];
    const packer = firstLine(doc, PACKER) ?? firstLine(doc, JSFUCK);
    if (packer !== undefined) out.push({ line: packer, message: 'packed or JSFuck-encoded code' });
    const mangled = [...doc.text.matchAll(MANGLED)];
    if (mangled.length >= MIN_MANGLED_NAMES) out.push({ line: lineAt(doc, mangled[0]!.index!), message: `obfuscator-style names (${mangled.length} _0x… identifiers)` });
    let offset = 0;
    for (const line of doc.text.split('\n')) {
      if (line.length >= LONG_LINE && !line.includes('sourceMappingURL=data:')) {
        const share = encodedShare(line);
        if (share >= MIN_ENCODED_SHARE) {
          out.push({ line: lineAt(doc, offset), message: `a ${line.length}-character line, ${Math.round(share * 100)}% of it encoded data` });
          break;
        }
      }
      offset += line.length + 1;
    }
    return out;
  },
};

/** The share of a line made of long runs of encoded data. */
export function encodedShare(line: string): number {
  let encoded = 0;
  for (const m of line.matchAll(ENCODED_RUN)) encoded += m[0].length;
  return encoded / line.length;
}
