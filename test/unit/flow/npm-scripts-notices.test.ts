/**
 * What the script runner says about itself (no sandbox, a refused one) reaches the user once, and
 * its advice names safe-npm as the user typed it. The real runner and discovery; only bubblewrap is
 * absent (bwrap: null) and the sandbox setting requires it, so nothing is spawned.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src/config/settings.js';
import { SafeStore } from '../../../src/config/store.js';
import { replayInstallScripts } from '../../../src/flow/npm-scripts.js';
import { discoverInstallScripts, locateToolchain, makeApproval, runInstallScripts } from '../../../src/npm/scripts/index.js';
import type { Prompts } from '../../../src/ui/prompts.js';
import { tempDir, writeProject } from '../npm-scripts/fixture.js';

// The system's npm, as the flow passes it: a node that is not the system's (Node 22 from the \`node\`
// package, for a smoke run) has no npm beside it.
const npmCli = realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim());

const noPrompts: Prompts = { askAboutPackage: async () => 'abort', chooseApprovals: async () => [], confirm: async () => false };

describe('script runner notices', () => {
  it('sandbox "require" without bubblewrap: said once, with the command as typed (npm safe config set sandbox auto); the approved script is not called unapproved', async () => {
    const project = writeProject({
      root: { name: 'p', version: '1.0.0', dependencies: { builder: '1.0.0' } },
      lock: { 'node_modules/builder': { version: '1.0.0', hasInstallScript: true } },
      files: { 'node_modules/builder/package.json': { name: 'builder', version: '1.0.0', scripts: { postinstall: 'echo built' } } },
    });
    chmodSync(project, 0o755); // the script user may enter it
    const store = await SafeStore.open({ cwd: tempDir('safe-npm-store-') });
    const builder = (await discoverInstallScripts(project)).find((c) => c.name === 'builder')!;
    store.recordScriptDecision('npm', makeApproval(builder));
    const settings = { ...defaultSettings, sandbox: 'require' as const };
    let err = '';
    const code = await replayInstallScripts(
      { projectDir: project, store, settings, strict: false, project: false, includeRoot: false, tool: 'safe-npm', command: 'npm' },
      {
        interactive: false, color: false, prompts: noPrompts, now: () => new Date(), stderr: (t) => void (err += t),
        runInstallScripts,
        runnerDeps: () => ({
          user: { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin' },
          settings, toolchain: locateToolchain({ node: process.execPath, npmCli }), parentEnv: {}, cacheDir: tempDir('safe-npm-script-cache-'), bwrap: null, contain: null,
        }),
      },
    );
    expect(code).toBe(67);
    const notice = 'safe-npm: bubblewrap (bwrap) is not installed, and the sandbox setting is "require": install scripts are not run (apt-get install bubblewrap, or: npm safe config set sandbox auto)\n';
    expect(err.split(notice).length - 1, err).toBe(1);
    // It is approved: "approve with" would change nothing; the notice above says what would.
    expect(err).toContain('safe-npm: approved install scripts that did not run; the packages are installed:\n  builder@1.0.0 [postinstall: echo built] — sandbox required but unavailable\n');
    expect(err).not.toContain('approve with');
  });
});
