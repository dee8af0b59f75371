import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { throughWindow, windowedCommand, windowFits } from '../../../src/npm/scripts/project-window.js';

describe('a window onto root\'s project past a folder the script user cannot enter', () => {
  it('fits only a folder strictly above the project (a closed project folder is the same inode behind any window)', () => {
    expect(windowFits('/root', '/root/work/p')).toBe(true);
    expect(windowFits('/root/work/p', '/root/work/p')).toBe(false);
    expect(windowFits('/ro', '/root/p')).toBe(false);
    expect(windowFits('/root/work/p/node_modules', '/root/work/p')).toBe(false);
  });

  it('shows package folders inside the project by their real path, and nothing outside it (a linked folder, a link out)', () => {
    const base = mkdtempSync(join(tmpdir(), 'safe-npm-window-'));
    const project = join(base, 'p');
    mkdirSync(join(project, 'node_modules', 'a'), { recursive: true });
    mkdirSync(join(base, 'elsewhere'));
    symlinkSync(join(base, 'elsewhere'), join(project, 'node_modules', 'linked'));
    symlinkSync(project, join(base, 'via-link'));
    const window = { closed: base, project, hold: '/nonexistent' };
    expect(throughWindow(window, join(project, 'node_modules', 'a'))).toBe(join(project, 'node_modules', 'a'));
    expect(throughWindow(window, join(base, 'via-link', 'node_modules', 'a'))).toBe(join(project, 'node_modules', 'a'));
    expect(throughWindow(window, join(project, 'node_modules', 'linked'))).toBeUndefined();
    expect(throughWindow(window, join(project, 'node_modules', 'missing'))).toBeUndefined();
  });

  it('is opened by root with absolute tools and every path as an argument, and setpriv drops to the user before the script', () => {
    const tools = { unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv', mount: '/usr/bin/mount', mkdir: '/usr/bin/mkdir' };
    const [bin, args] = windowedCommand({ closed: '/root', project: '/root/$(x)/p', hold: '/tmp/h' }, '/root/$(x)/p/node_modules/a', tools, { uid: 995, gid: 994 }, ['/usr/bin/bwrap', ['--', '/bin/sh', '-c', 'node install.js']], false);
    expect(bin).toBe('/usr/bin/unshare');
    const script = args[args.indexOf('-c') + 1]!;
    expect(script).not.toContain('$(x)');
    expect(args.slice(args.indexOf(script) + 1)).toEqual([
      'safe-npm-window', '/root', '/root/$(x)/p', '/tmp/h', '/root/$(x)/p/node_modules/a', '/usr/bin/mount', '/usr/bin/mkdir',
      '/usr/bin/setpriv', '--reuid=995', '--regid=994', '--clear-groups', '--', '/usr/bin/bwrap', '--', '/bin/sh', '-c', 'node install.js',
    ]);
    expect(args).not.toContain('--pid');
  });
});
