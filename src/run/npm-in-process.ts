/**
 * Run the real npm inside this node process instead of spawning a second node: a passthrough
 * then costs our own module loading (~15 ms) rather than a whole extra node start (~50 ms).
 * Only when the real npm is npm's own JS entry (`<npm>/bin/npm-cli.js`, what /usr/bin/npm and
 * nvm/volta-less installs link to); anything else (a shell wrapper, a shim of another tool) is
 * spawned by passthrough.ts. npm then owns the process: its argv, signals, exit code, exit.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

/** The realpath of npm's bin/npm-cli.js when `realNpm` leads to it, else undefined. */
export function npmCliScript(realNpm: string): string | undefined {
  try {
    const file = realpathSync(realNpm);
    if (basename(file) !== 'npm-cli.js' || basename(dirname(file)) !== 'bin') return undefined;
    const pkg = JSON.parse(readFileSync(join(dirname(dirname(file)), 'package.json'), 'utf8')) as { name?: string };
    return pkg.name === 'npm' ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Hand the process to npm: argv becomes `[node, npm-cli.js, ...args]` and npm's CLI is loaded.
 * npm sets the exit code and exits by itself; the caller must not touch exitCode afterwards.
 */
export function runNpmInProcess(cliScript: string, args: readonly string[], proc: { argv: string[]; execPath: string }): void {
  proc.argv = [proc.execPath, cliScript, ...args];
  createRequire(cliScript)(cliScript);
}
