/**
 * The script approval shows what the content rules found, with file and line (issue 11), and a
 * high-confidence finding is never offered for approval.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src/config/settings.js';
import { SafeStore } from '../../../src/config/store.js';
import { replayInstallScripts } from '../../../src/flow/npm-scripts.js';
import { installedBeforeInterrupt } from '../../../src/flow/npm-finish.js';
import { Cancelled } from '../../../src/core/errors.js';
import type { Prompts } from '../../../src/ui/prompts.js';
import { tempDir, writeProject } from '../npm-scripts/fixture.js';

const firing = (rel: string) => readFileSync(new URL(`../../fixtures/scan/firing/${rel}`, import.meta.url), 'utf8');

describe('script approval with content findings', () => {
  it('shows medium findings at the prompt with file and line; a high one is blocked, not offered', async () => {
    const project = writeProject({
      root: { name: 'p', version: '1.0.0', dependencies: { notifier: '1.0.0', stealer: '1.0.0' } },
      files: {
        'node_modules/notifier/package.json': { name: 'notifier', version: '1.0.0', scripts: { postinstall: 'node notify.js' } },
        'node_modules/notifier/notify.js': firing('shady-url/notify.js'),
        'node_modules/stealer/package.json': { name: 'stealer', version: '1.0.0', scripts: { preinstall: 'node collect.js' } },
        'node_modules/stealer/collect.js': firing('credential-network/collect.js'),
      },
    });
    const store = await SafeStore.open({ cwd: tempDir('safe-npm-store-') });
    let offered: string[] = [];
    const prompts: Prompts = {
      askAboutPackage: async () => 'abort',
      chooseApprovals: async (_message, items) => {
        if (offered.length === 0) offered = items.map((i) => i.label);
        return [];
      },
      confirm: async () => false,
    };
    let err = '';
    const code = await replayInstallScripts(
      { projectDir: project, store, settings: defaultSettings, strict: false, project: false, includeRoot: false, tool: 'safe-npm' },
      {
        interactive: true, color: false, prompts, now: () => new Date(), stderr: (t) => void (err += t),
        runInstallScripts: async () => ({ exitCode: 0, ran: [], withheld: [], failed: [], skippedBecauseDependencyFailed: [], notices: [] }) as never,
        runnerDeps: () => ({}) as never,
      },
    );
    expect(offered).toEqual(['notifier@1.0.0']);
    expect(err).toContain('! notify.js:2: a URL to a Discord webhook [shady-url]');
    expect(err).toContain('blocked: the install scripts of stealer@1.0.0 do not run: reads credentials and uses the network');
    expect(err).toContain('collect.js:6: reads credentials and uses the network (line 8) [credential-network]');
    expect(code).toBe(65);
  });
});

describe('Ctrl-C at the script approval', () => {
  const run = async (afterInstall: boolean) => {
    const project = writeProject({
      root: { name: 'p', version: '1.0.0', dependencies: { notifier: '1.0.0' } },
      files: { 'node_modules/notifier/package.json': { name: 'notifier', version: '1.0.0', scripts: { postinstall: 'node -e 1' } } },
    });
    const store = await SafeStore.open({ cwd: tempDir('safe-npm-store-') });
    const prompts: Prompts = {
      askAboutPackage: async () => 'abort',
      chooseApprovals: async () => {
        throw new Cancelled('cancelled at the prompt');
      },
      confirm: async () => false,
    };
    return replayInstallScripts(
      { projectDir: project, store, settings: defaultSettings, strict: false, project: false, includeRoot: false, tool: 'safe-npm', command: 'npm', afterInstall },
      {
        interactive: true, color: false, prompts, now: () => new Date(), stderr: () => {},
        runInstallScripts: async () => ({ exitCode: 0, ran: [], withheld: [], failed: [], skippedBecauseDependencyFailed: [], notices: [] }) as never,
        runnerDeps: () => ({}) as never,
      },
    ).then(() => 'went on', (error: Error) => error.message);
  };

  it('after an install: says the install itself had completed and what runs the scripts (it said only "cancelled at the prompt")', async () => {
    expect(await run(true)).toBe(`cancelled at the prompt; ${installedBeforeInterrupt('npm')}`);
  });
  it('at a rebuild, where nothing was installed: cancelled at the prompt', async () => {
    expect(await run(false)).toBe('cancelled at the prompt');
  });
});
