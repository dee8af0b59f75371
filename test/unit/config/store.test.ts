import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafeStore, storePath } from '../../../src/config/store.js';
import { ConfigError } from '../../../src/core/errors.js';
import { applyEnvOverrides, defaultSettings, parseSettingKey } from '../../../src/config/settings.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'safe-store-'));

describe('SafeStore (conf in a temp dir)', () => {
  it('trusts, lists and untrusts per ecosystem, persisting to disk', async () => {
    const cwd = tempDir();
    const store = await SafeStore.open({ cwd });
    store.trust('npm', 'left-pad');
    store.trust('pypi', 'requests');
    const reopened = await SafeStore.open({ cwd });
    expect(reopened.isTrusted('npm', 'left-pad')).toBe(true);
    expect(reopened.isTrusted('pypi', 'left-pad')).toBe(false);
    expect(reopened.trustedNames('npm')).toEqual(['left-pad']);
    expect(reopened.untrust('npm', 'left-pad')).toBe(true);
    expect(reopened.untrust('npm', 'left-pad')).toBe(false);
    expect((await SafeStore.open({ cwd })).isTrusted('npm', 'left-pad')).toBe(false);
    expect(JSON.parse(readFileSync(join(cwd, 'config.json'), 'utf8')).trusted).toHaveProperty('pypi:requests');
  });

  it('settings default, then persist what is set', async () => {
    const cwd = tempDir();
    const store = await SafeStore.open({ cwd });
    expect(store.settings()).toEqual(defaultSettings);
    store.setSetting('thresholds.fewVersions', 5);
    store.setSetting('runAsUser', 'builder');
    const s = (await SafeStore.open({ cwd })).settings();
    expect(s.thresholds).toEqual({ ...defaultSettings.thresholds, fewVersions: 5 });
    expect(s.runAsUser).toBe('builder');
  });

  it('read-only opening sees the same store without conf, and refuses writes', async () => {
    const cwd = tempDir();
    (await SafeStore.open({ cwd })).trust('npm', 'left-pad');
    (await SafeStore.open({ cwd })).setSetting('thresholds.fewVersions', 5);
    const fast = await SafeStore.open({ cwd, readOnly: true });
    expect(fast.isTrusted('npm', 'left-pad')).toBe(true);
    expect(fast.settings().thresholds.fewVersions).toBe(5);
    expect(() => fast.trust('npm', 'x')).toThrow(/read-only/);
    expect((await SafeStore.open({ cwd: tempDir(), readOnly: true })).trustedNames('npm')).toEqual([]);
  });

  it('the read-only path is the file conf uses (XDG_CONFIG_HOME honoured)', async () => {
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = tempDir();
    try {
      expect((await SafeStore.open()).path).toBe(storePath());
      expect(storePath()).toBe(join(process.env.XDG_CONFIG_HOME, 'safe-npm', 'config.json'));
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    }
  });

  it('a corrupt config file is a clear error, never allow-all', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'config.json'), '{"trusted": {"npm:x": ');
    await expect(SafeStore.open({ cwd })).rejects.toThrow(ConfigError);
    await expect(SafeStore.open({ cwd })).rejects.toThrow(/cannot read the safe-npm config/);
    await expect(SafeStore.open({ cwd, readOnly: true })).rejects.toThrow(ConfigError);
  });

  it('setting keys parse and reject bad values', () => {
    expect(parseSettingKey('thresholds.newPackageDays')!.parse('7')).toBe(7);
    expect(() => parseSettingKey('thresholds.newPackageDays')!.parse('soon')).toThrow(/number/);
    expect(parseSettingKey('severity.typosquat')!.parse('warn')).toBe('warn');
    expect(() => parseSettingKey('severity.typosquat')!.parse('maybe')).toThrow();
    expect(parseSettingKey('nonsense')).toBeUndefined();
  });

  it('environment overrides apply on top of stored settings', () => {
    const s = applyEnvOverrides(defaultSettings, { SAFE_NPM_RUN_AS_USER: 'builder', SAFE_NPM_STRICT_SCRIPTS: '1' }, 'SAFE_NPM');
    expect(s.runAsUser).toBe('builder');
    expect(s.strictScripts).toBe(true);
    expect(() => applyEnvOverrides(defaultSettings, { SAFE_NPM_CACHE_ROOT: 'relative' }, 'SAFE_NPM')).toThrow(/absolute/);
  });
});
