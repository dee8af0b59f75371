import { NETWORK_CALL, SPAWN, DYNAMIC_CODE } from '../patterns.js';
import type { ScanRule } from '../types.js';

/**
 * setup.py (or a build backend) running commands, evaluating code or using the network when it is
 * imported: pip imports it to build, so this runs on `pip install` of the sdist. Only module-level
 * statements count (unindented lines): code inside functions and classes runs only when called.
 */
export const setupPyCommands: ScanRule = {
  id: 'setup-py-commands',
  confidence: 'medium',
  scan(doc) {
    if (doc.kind !== 'python') return [];
    const out: Array<{ line: number; message: string }> = [];
    const lines = doc.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (/^\s/.test(line) || line.startsWith('#') || /^(?:def|class|import|from)\b/.test(line)) continue;
      const what = SPAWN.python.test(line) ? 'runs a command' : DYNAMIC_CODE.python.test(line) ? 'evaluates code' : NETWORK_CALL.python.test(line) ? 'uses the network' : undefined;
      if (what) out.push({ line: (doc.firstLine ?? 1) + i, message: `${what} when ${doc.path} is imported` });
    }
    return out.slice(0, 3);
  },
};
