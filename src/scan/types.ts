/**
 * Install-time content scanning (issue 11): local rules, in the spirit of GuardDog's and Socket's
 * install-time alerts, over what would run at install: npm lifecycle commands and the files they run,
 * node-gyp's binding.gyp, and (PyPI) setup.py / build backends in an sdist.
 */

/** What a rule reads: one command line or one file. */
export interface ScanDocument {
  /** Shown to the user: `package.json (postinstall)`, `install.js`, `setup.py`. */
  path: string;
  /** How to read it: shell command text, JavaScript, Python, or gyp (JSON with `<!(command)` expansions). */
  kind: 'shell' | 'js' | 'python' | 'gyp';
  text: string;
  /** The line `text` starts on in the file it came from (a script inside package.json). Default 1. */
  firstLine?: number;
  /** File bytes start with an executable's magic (ELF, PE, Mach-O). */
  executable?: boolean;
}

/** high: download-and-execute, credentials + network (block); medium: worth a look (warn). */
export type Confidence = 'high' | 'medium';

export interface ContentFinding {
  rule: string;
  confidence: Confidence;
  message: string;
  file: string;
  line: number;
  /** The line, trimmed and shortened. */
  excerpt: string;
}

export interface ScanRule {
  id: string;
  confidence: Confidence;
  /** Finds the rule's pattern in one document; `all` is every document of the package (for cross-file facts). */
  scan(doc: ScanDocument, all: readonly ScanDocument[]): Array<{ line: number; message: string }>;
}
