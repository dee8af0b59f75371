import type { Check } from '../core/types.js';
import { describeContentFinding, scanDocuments } from '../scan/scan.js';

/**
 * What the registry says the install scripts are, read with the content rules (src/scan): a
 * download-and-execute or credentials + network command blocks, the other rules warn. The files the
 * scripts run are scanned later, on disk, at the script approval (flow/npm-scripts.ts).
 */
export const installScriptContent: Check = {
  id: 'install-script-content',
  title: 'what the install scripts do',
  needsNetwork: true,
  run(facts) {
    const scripts = facts.installScripts ?? {};
    const docs = Object.entries(scripts).map(([event, text]) => ({ path: `package.json (${event})`, kind: 'shell' as const, text }));
    if (docs.length === 0) return [];
    const at = facts.ecosystem === 'pypi' ? '==' : '@';
    return scanDocuments(docs).map((f) => ({
      check: 'install-script-content',
      severity: f.confidence === 'high' ? ('block' as const) : ('warn' as const),
      message: `${facts.name}${facts.version ? `${at}${facts.version}` : ''} install script: ${f.message} (${f.file})`,
      details: [describeContentFinding(f)],
    }));
  },
};
