import { describe, expect, it } from 'vitest';
import { approvalKey, parseApprovalTarget } from '../../../src/cli/pip-approval-commands.js';
import { parsePipArgs } from '../../../src/pypi/parse-pip-args.js';
import { effectiveIndexUrl } from '../../../src/pypi/pip-config.js';
import { declaredUrlDependencies, directUrlOf, pinnedLine, type ReportItem } from '../../../src/pypi/pip-report.js';
import { parseRequirementName } from '../../../src/pypi/pypi-check.js';

describe('requirement validation for safe check', () => {
  it.each([
    ['requests', { name: 'requests' }],
    ['Foo_Bar[x, y] (==1.0)', { name: 'Foo_Bar', version: '1.0' }],
    ['a>=1,<2; python_version >= "3.8"', { name: 'a' }],
    ['a===2.0b1', { name: 'a', version: '2.0b1' }],
    ['a==1.*', { name: 'a' }],
  ])('%s', (spec, expected) => {
    expect(parseRequirementName(spec)).toEqual(expected);
  });
  it.each(['bad req!!', '', '-r', 'a==', 'a[', 'a >> 1', 'a @ https://x/a.whl'])('rejects %j in one line', (spec) => {
    expect(() => parseRequirementName(spec)).toThrow(/^[^\n]+$/);
  });
});

describe('build approval targets (the keys the install flow looks up)', () => {
  const exists = (p: string) => p === '/work/dist/x-1.0.tar.gz';
  it.each([
    ['SrcDep==1.2', 'srcdep@1.2'],
    ['srcdep@1.2', 'srcdep@1.2'],
    ['Foo.Bar', 'foo-bar'],
    ['https://h/x-1.0.tar.gz#sha256=ab', 'https://h/x-1.0.tar.gz'],
    ['X @ git+https://h/x.git', 'git+https://h/x.git'],
    ['git+file:///srv/repo#egg=x', 'git+file:///srv/repo'],
    ['x @ git+file:///srv/repo', 'git+file:///srv/repo'],
    ['./dist/x-1.0.tar.gz', 'file:///work/dist/x-1.0.tar.gz'],
    ['dist/x-1.0.tar.gz', 'file:///work/dist/x-1.0.tar.gz'],
  ])('%s → %s', (raw, key) => {
    expect(approvalKey(parseApprovalTarget(raw, '/work', exists))).toBe(key);
  });
  it('rejects what is neither', () => {
    expect(() => parseApprovalTarget('bad name!', '/work', exists)).toThrow(/not a package name/);
    expect(() => parseApprovalTarget('./missing.tar.gz', '/work', exists)).toThrow(/no such file/);
  });
});

describe('the index safe check asks', () => {
  const files: Record<string, string> = {
    '/etc/pip.conf': '[global]\nindex-url = http://global/simple\n',
    '/h/.config/pip/pip.conf': '[install]\nindex_url = http://user-install/simple\n',
  };
  const read = (p: string) => {
    if (!(p in files)) throw new Error('ENOENT');
    return files[p]!;
  };
  it('env over [install] over [global]; PIP_CONFIG_FILE=/dev/null disables files', () => {
    expect(effectiveIndexUrl({ PIP_INDEX_URL: 'http://env/simple' }, '/h', undefined, read)).toBe('http://env/simple');
    expect(effectiveIndexUrl({}, '/h', undefined, read)).toBe('http://user-install/simple');
    expect(effectiveIndexUrl({ XDG_CONFIG_HOME: '/nowhere' }, '/h', undefined, read)).toBe('http://global/simple');
    expect(effectiveIndexUrl({ PIP_CONFIG_FILE: '/dev/null' }, '/h', undefined, read)).toBeUndefined();
  });
});

describe('direct-URL dependencies declared in metadata', () => {
  const item = (name: string, extra: Partial<ReportItem> = {}): ReportItem => ({
    name, canonical: name, version: '1.0', url: `https://idx/${name}.whl`, kind: 'index', isDirect: false, requested: false, editable: false, isWheel: true, requiresDist: [], ...extra,
  });
  it('finds the item a parent names as `name @ URL`, not a user-requested one', () => {
    expect(directUrlOf('Evil[x] @ https://e/evil.tar.gz ; python_version>"3"')).toEqual({ canonical: 'evil', url: 'https://e/evil.tar.gz' });
    const parent = item('app', { requested: true, requiresDist: ['evil @ https://e/evil-1.0-py3-none-any.whl'] });
    const evil = item('evil', { isDirect: true, kind: 'archive', url: 'https://e/evil-1.0-py3-none-any.whl' });
    expect(declaredUrlDependencies([parent, evil])).toEqual([{ item: evil, parent, url: 'https://e/evil-1.0-py3-none-any.whl' }]);
    expect(declaredUrlDependencies([parent, { ...evil, requested: true }])).toEqual([]);
  });
});

describe('argv positions of requirements (to substitute a did-you-mean)', () => {
  it('maps positionals back to the argv, around --safe-* flags and the command word', () => {
    const argv = ['-v', '--safe-yes', 'install', '-i', 'http://x/simple', 'reqeusts[socks]>=1', '--', '-weird'];
    const inv = parsePipArgs(argv, { version: [23, 0] });
    const pos = inv.items.filter((i) => i.kind === 'positional') as Array<{ value: string; argvIndex?: number }>;
    expect(pos.map((p) => [p.value, argv[p.argvIndex!]])).toEqual([['reqeusts[socks]>=1', 'reqeusts[socks]>=1'], ['-weird', '-weird']]);
  });
  it('lock is a building command from pip 25.1, passthrough before', () => {
    expect(parsePipArgs(['lock', '-o', 'l.toml', 'a'], { version: [25, 1] }).kind).toBe('lock');
    expect(parsePipArgs(['lock', 'a'], { version: [23, 0] }).kind).toBe('passthrough');
  });
});

describe('the line that fetches exactly a resolved VCS item', () => {
  it('pins the commit in the #egg= form, with the "//" of git+file:/// put back', () => {
    const item = { name: 'gitpkg', canonical: 'gitpkg', version: '0.1', url: 'git+file:/srv/repo', kind: 'vcs', isDirect: true, requested: true, editable: false, isWheel: false, vcs: { vcs: 'git', commitId: 'abc123' }, requiresDist: [] } as ReportItem;
    expect(pinnedLine(item)).toEqual({ line: 'git+file:///srv/repo@abc123#egg=gitpkg', hashed: false });
    expect(pinnedLine({ ...item, url: 'https://h/r.git' }).line).toBe('git+https://h/r.git@abc123#egg=gitpkg');
  });
});
