/**
 * pip's captured output, relayed to the user's terminal: pip quotes what it was given (requirements,
 * file names, index pages) and what an index answered, so it is outside text — neutralized line by
 * line. A Python traceback (pip 23's own crash on some malformed requirements) is its last line only:
 * the user gets pip's reason, not pip's internals.
 */
import { neutralizeLines } from '../ui/neutralize.js';

const TRACEBACK = /^Traceback \(most recent call last\):$/;

export function pipOutputForTerminal(text: string): string {
  if (!text) return text;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => TRACEBACK.test(l.trim()));
  if (start < 0) return neutralizeLines(text);
  // "ERROR: Exception:" introduces the traceback; the exception itself is the last non-empty line.
  const before = lines.slice(0, start).filter((l) => l.trim() !== 'ERROR: Exception:');
  const reason = lines.slice(start).reverse().find((l) => l.trim() !== '' && !/^\s/.test(l) && !TRACEBACK.test(l.trim()) && !/^During handling of the above exception/.test(l));
  const exception = reason?.replace(/^(?:[A-Za-z_]\w*\.)+(\w+):/, '$1:') ?? 'pip failed';
  return neutralizeLines([...before, `ERROR: ${exception}`, ''].join('\n'));
}
