import { firstLine, lineAt } from '../patterns.js';
import type { ScanRule } from '../types.js';

const PACKER = /eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,\s*[rd]\s*\)/;
const JSFUCK = /\[\]\[\(!\[\]\+\[\]\)/;
const MANGLED = /\b_0x[0-9a-f]{4,}\b/g;
/** javascript-obfuscator names: this many `_0x…` identifiers is not a coincidence. */
export const MIN_MANGLED_NAMES = 20;
/** A line this long with this much entropy per character is data or packed code, not source (minified code stays near 5). */
export const LONG_LINE = 2000;
export const MIN_ENTROPY = 5.5;

/** Obfuscated install-time code: packers, javascript-obfuscator output, JSFuck, long high-entropy lines. */
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
      if (line.length >= LONG_LINE && entropy(line) >= MIN_ENTROPY) {
        out.push({ line: lineAt(doc, offset), message: `a ${line.length}-character line of high entropy (${entropy(line).toFixed(1)} bits/char)` });
        break;
      }
      offset += line.length + 1;
    }
    return out;
  },
};

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}
