import { lineAt } from '../patterns.js';
import type { ScanRule } from '../types.js';

/**
 * A native executable shipped in the package and run at install time: nothing about it can be read.
 * (Prebuilt addons loaded with require, or binaries of other packages, do not count.)
 */
export const bundledBinary: ScanRule = {
  id: 'bundled-binary',
  confidence: 'medium',
  scan(doc, all) {
    const executables = all.filter((d) => d.executable).map((d) => d.path.replace(/^\.\//, ''));
    if (executables.length === 0 || doc.executable) return [];
    const out: Array<{ line: number; message: string }> = [];
    const pattern = doc.kind === 'shell' ? /(?:^|[\s;&|(])((?:\.\/)?[\w.-]+(?:\/[\w.-]+)*)/g : /(?:exec|execSync|execFile|execFileSync|spawn|spawnSync)\s*\(\s*['"`]((?:\.\/)?[\w./-]+)['"`]/g;
    for (const m of doc.text.matchAll(pattern)) {
      const path = m[1]!.replace(/^\.\//, '');
      if (executables.includes(path)) out.push({ line: lineAt(doc, m.index!), message: `runs the bundled executable ${path}` });
    }
    return out.slice(0, 3);
  },
};
