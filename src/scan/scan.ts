/** Runs every content rule over the documents of one package. Pure. */
import { bundledBinary } from './rules/bundled-binary.js';
import { credentialNetwork } from './rules/credential-network.js';
import { decodedEval } from './rules/decoded-eval.js';
import { downloadExecute } from './rules/download-execute.js';
import { encodedEval } from './rules/encoded-eval.js';
import { obfuscation } from './rules/obfuscation.js';
import { setupPyCommands } from './rules/setup-py-commands.js';
import { shadyUrl } from './rules/shady-url.js';
import { readableText, toFinding } from './patterns.js';
import type { ContentFinding, ScanDocument, ScanRule } from './types.js';

/** Every rule, high-confidence ones first. Explicit on purpose: no directory scanning. */
export const scanRules: readonly ScanRule[] = [downloadExecute, credentialNetwork, decodedEval, encodedEval, obfuscation, shadyUrl, bundledBinary, setupPyCommands];

export function scanDocuments(docs: readonly ScanDocument[], rules: readonly ScanRule[] = scanRules): ContentFinding[] {
  const out: ContentFinding[] = [];
  // Rules read the text as code (comments out, split strings joined); findings quote the file as written.
  const readable = docs.map((doc) => ({ ...doc, text: readableText(doc) }));
  readable.forEach((doc, i) => {
    for (const rule of rules) for (const hit of rule.scan(doc, readable)) out.push(toFinding(rule, docs[i]!, hit));
  });
  return out;
}

/** `install.js:12: download-execute: pipes a download into an interpreter | curl … | sh` */
export function describeContentFinding(f: ContentFinding): string {
  return `${f.file}:${f.line}: ${f.message} [${f.rule}]${f.excerpt ? ` | ${f.excerpt}` : ''}`;
}
