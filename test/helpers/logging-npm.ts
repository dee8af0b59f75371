/**
 * A stand-in `npm` that records who ran it (uid from `id -u`, i.e. the kernel's view) and with
 * which arguments, then execs the real npm. Put `dir` first on PATH.
 *
 * One line per call, appended with a single write: `<uid>\t<cwd>\t<arg1>\t<arg2>...`.
 * (Arguments containing a tab or newline would be mangled; none of ours do.)
 */
import { chmodSync, rmSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from './projects.js';

export interface NpmCall {
  uid: number;
  cwd: string;
  args: string[];
}

export interface LoggingNpm {
  /** Folder holding the `npm` script (mode 755). */
  dir: string;
  /** The log file (mode 666). */
  logPath: string;
  readLog(): Promise<NpmCall[]>;
  /** Empty the log. */
  clear(): Promise<void>;
  cleanup(): void;
}

function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export async function makeLoggingNpm(realNpm = '/usr/bin/npm'): Promise<LoggingNpm> {
  const dir = await makeTempDir('safe-npm-logging-npm-');
  const logPath = join(dir, 'npm-calls.log');
  const script = `#!/bin/sh
# Written by test/helpers/logging-npm.ts: record the caller, then run the real npm.
tab="$(printf '\\t')"
line="$(id -u)$tab$PWD"
for arg in "$@"; do line="$line$tab$arg"; done
printf '%s\\n' "$line" >> ${shQuote(logPath)}
exec ${shQuote(realNpm)} "$@"
`;
  await writeFile(join(dir, 'npm'), script, { mode: 0o755 });
  await chmod(join(dir, 'npm'), 0o755);
  await writeFile(logPath, '', { mode: 0o666 });
  chmodSync(logPath, 0o666); // the umask would have cut the mode given to writeFile
  return {
    dir,
    logPath,
    async readLog() {
      const text = await readFile(logPath, 'utf8');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const [uid, cwd, ...args] = line.split('\t');
          return { uid: Number(uid), cwd: cwd ?? '', args };
        });
    },
    async clear() {
      await writeFile(logPath, '');
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
