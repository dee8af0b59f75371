import { chmodSync, existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Toolchain } from './env.js';

/**
 * Find npm's parts next to a trusted node binary and npm-cli.js. `npmCli` defaults to the npm that
 * ships with `node` (<prefix>/lib/node_modules/npm/bin/npm-cli.js).
 */
export function locateToolchain(options: { node: string; npmCli?: string }): Omit<Toolchain, 'shimDir'> {
  const node = realpathSync(options.node);
  const npmCli = realpathSync(options.npmCli ?? join(dirname(node), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'));
  const npmRoot = dirname(dirname(npmCli));
  const nodeGyp = join(npmRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const nodeGypBinDir = join(npmRoot, 'node_modules', '@npmcli', 'run-script', 'lib', 'node-gyp-bin');
  const npxCli = join(npmRoot, 'bin', 'npx-cli.js');
  for (const [what, p] of [['node-gyp', nodeGyp], ['node-gyp-bin', nodeGypBinDir], ['npx-cli.js', npxCli]] as const) {
    if (!existsSync(p)) throw new Error(`cannot find ${what} in the npm install at ${npmRoot}`);
  }
  return { node, npmCli, npxCli, nodeGyp, nodeGypBinDir };
}

/**
 * Write the trusted shim dir: `node` -> the node binary, `npm`/`npx`/`node-gyp` -> sh wrappers that
 * exec the absolute node with the absolute CLI file. Readable and executable by every user.
 */
export function createShimDir(dir: string, tc: Omit<Toolchain, 'shimDir'>): Toolchain {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  symlinkSync(tc.node, join(dir, 'node'));
  for (const [name, cli] of [['npm', tc.npmCli], ['npx', tc.npxCli], ['node-gyp', tc.nodeGyp]] as const) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\nexec ${q(tc.node)} ${q(cli)} "$@"\n`, { mode: 0o755 });
    chmodSync(file, 0o755);
  }
  return { ...tc, shimDir: dir };
}
