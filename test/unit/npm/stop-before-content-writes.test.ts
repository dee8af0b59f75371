/**
 * npm uninstall / prune reify the whole ideal tree, so they install what the project lacks. Where
 * they run in place (a user's own project), the packages npm's diff adds or changes are read before
 * anything is written, and new ones hand the command over instead. Proven here on arborist's diff
 * shape and a stand-in with its step name; end to end in everyday.test.ts ("…would also install…").
 */
import { describe, expect, it } from 'vitest';
import { contentWrites, shrinkwrapped, stopBeforeContentWrites, unvettedWriteMessage, unvettedWrites, vettedSet, type ContentWrite, type DiffNode } from '../../../src/npm/arborist-steps.js';

const node = (action: string | null, location: string, version: string, children: DiffNode[] = [], integrity?: string): DiffNode => ({
  action,
  ideal: action === 'REMOVE' ? null : { name: location.split('/').pop(), location, integrity, package: { version } },
  children,
});

describe('contentWrites', () => {
  it('lists additions and changes at any depth, not removals or unchanged nodes', () => {
    const diff: DiffNode = {
      action: null, ideal: null, children: [
        node('REMOVE', 'node_modules/gone', '1.0.0'),
        node(null, 'node_modules/kept', '1.0.0', [node('ADD', 'node_modules/kept/node_modules/nested', '2.0.0', [], 'sha512-n')]),
        node('CHANGE', 'node_modules/bumped', '3.0.0'),
      ],
    };
    expect(contentWrites(diff)).toEqual([
      { name: 'nested', location: 'node_modules/kept/node_modules/nested', version: '2.0.0', integrity: 'sha512-n' },
      { name: 'bumped', location: 'node_modules/bumped', version: '3.0.0' },
    ]);
    expect(contentWrites(null)).toEqual([]);
  });
});

describe('stopBeforeContentWrites', () => {
  class StandIn {
    diff: DiffNode | null = null;
    log: string[] = [];
    constructor(private readonly planned: DiffNode) {}
    [Symbol.for('diffTrees')](): void {
      this.diff = this.planned;
    }
    async reify(): Promise<string[]> {
      await (this as unknown as Record<symbol, () => Promise<void>>)[Symbol.for('diffTrees')]!();
      this.log.push('written');
      return this.log;
    }
  }
  const handedOver: ContentWrite[][] = [];
  const stopped = Symbol('stopped');
  // Only `lodahs` is new to the project; `kept` is installed as it was (npm's hidden lockfile).
  const unvetted = (writes: ContentWrite[]) => writes.filter((w) => w.name !== 'kept');
  stopBeforeContentWrites(StandIn, unvetted, async (writes) => {
    handedOver.push(writes);
    throw stopped;
  });

  it('a removal alone, or the return of what was installed as it was, is written', async () => {
    const removal = new StandIn({ action: null, ideal: null, children: [node('REMOVE', 'node_modules/gone', '1.0.0'), node('ADD', 'node_modules/kept', '1.0.0')] });
    expect(await removal.reify()).toEqual(['written']);
    expect(handedOver).toEqual([]);
  });

  it('a new package stops it before anything is written, and is handed over', async () => {
    const adds = new StandIn({ action: null, ideal: null, children: [node('ADD', 'node_modules/lodahs', '1.2.0')] });
    await expect(adds.reify()).rejects.toBe(stopped);
    expect(adds.log).toEqual([]);
    expect(handedOver).toEqual([[{ name: 'lodahs', location: 'node_modules/lodahs', version: '1.2.0' }]]);
  });

  it('an arborist without the step is left alone (and says so)', () => {
    class Other {}
    expect(stopBeforeContentWrites(Other, unvetted, async () => { throw stopped; })).toBe(false);
  });
});

describe('sameContent: what an install may take as already installed', () => {
  it('same version and integrity; without integrity the same resolved source; anything less is changed', async () => {
    const { sameContent } = await import('../../../src/npm/tree-nodes.js');
    expect(sameContent({ version: '1.0.0', integrity: 'sha512-a' }, { version: '1.0.0', integrity: 'sha512-a' })).toBe(true);
    expect(sameContent({ version: '1.0.0', integrity: 'sha512-a' }, { version: '1.0.0', integrity: 'sha512-b' })).toBe(false);
    expect(sameContent({ version: '1.0.0', integrity: 'sha512-a' }, { version: '1.0.1', integrity: 'sha512-a' })).toBe(false);
    // The lockfile's integrity removed and its resolved sent elsewhere (another tarball, another commit).
    expect(sameContent({ version: '1.0.0', integrity: 'sha512-a', resolved: 'https://r/x/-/x-1.0.0.tgz' }, { version: '1.0.0', resolved: 'https://r/evil/-/evil-1.0.0.tgz' })).toBe(false);
    expect(sameContent({ version: '1.0.0', resolved: 'git+ssh://git@github.com/a/b.git#1111' }, { version: '1.0.0', resolved: 'git+ssh://git@github.com/a/b.git#2222' })).toBe(false);
    expect(sameContent({ version: '1.0.0', resolved: 'git+ssh://git@github.com/a/b.git#1111' }, { version: '1.0.0', resolved: 'git+ssh://git@github.com/a/b.git#1111' })).toBe(true);
    expect(sameContent({ version: '1.0.0' }, { version: '1.0.0' })).toBe(false);
  });
});

describe('unvettedWrites (npm\'s engine may write only what was vetted)', () => {
  const vetted = vettedSet([
    { name: 'a', version: '1.0.0', location: 'node_modules/a', resolved: 'https://r/a/-/a-1.0.0.tgz' },
    { name: 'b', version: '2.0.0', location: 'node_modules/a/node_modules/b', resolved: 'https://r/b/-/b-2.0.0.tgz' },
  ]);
  const write = (location: string, name: string, version: string, resolved?: string, isLink?: boolean): ContentWrite => ({ name, location, version, ...(resolved ? { resolved } : {}), ...(isLink ? { isLink } : {}) });

  it('hoisted: a write at a vetted location passes, any other is unvetted; links and the root are not package content', () => {
    expect(unvettedWrites([write('node_modules/a', 'a', '1.0.0'), write('node_modules/b', 'b', '2.0.0'), write('node_modules/c', 'c', '1.0.0', undefined, true), write('', 'root', '1.0.0')], vetted))
      .toEqual([write('node_modules/b', 'b', '2.0.0')]);
  });

  it('install-strategy=linked: a store write of a vetted package (name, version, tarball) passes (every install was a false stop: "the folder differs from npm\'s record"); another package, version or tarball there does not', () => {
    const store = (key: string, name: string) => `node_modules/.store/${key}/node_modules/${name}`;
    expect(unvettedWrites([
      write(store('a@1.0.0-x', 'a'), 'a', '1.0.0', 'https://r/a/-/a-1.0.0.tgz'),
      write(store('b@2.0.0-y', 'b'), 'b', '2.0.0', 'https://r/b/-/b-2.0.0.tgz'),
      write('node_modules/a', 'a', '1.0.0', undefined, true),
    ], vetted)).toEqual([]);
    const others = [
      write(store('a@1.0.1-x', 'a'), 'a', '1.0.1', 'https://r/a/-/a-1.0.1.tgz'),
      write(store('evil@1.0.0-z', 'evil'), 'evil', '1.0.0', 'https://r/evil/-/evil-1.0.0.tgz'),
      write(store('a@1.0.0-x', 'a'), 'a', '1.0.0', 'https://elsewhere/a-1.0.0.tgz'),
    ];
    expect(unvettedWrites(others, vetted)).toEqual(others);
  });

  it('a vetted entry without a tarball vouches only for a write without one (an alias\'s file: tarball went into the store by it: an attack trial)', () => {
    const blank = vettedSet([{ name: 'is-number', version: '7.0.0', location: 'node_modules/is-number' }]);
    const store = 'node_modules/.store/is-number@7.0.0-x/node_modules/is-number';
    expect(unvettedWrites([write(store, 'is-number', '7.0.0')], blank)).toEqual([]);
    const aliased = write(store, 'is-number', '7.0.0', 'file:/tmp/evil.tgz');
    expect(unvettedWrites([aliased], blank)).toEqual([aliased]);
  });
});

describe('install-strategy=linked: a store write whose package.json names it otherwise', () => {
  it('is unvetted: without a tarball npm fetches by that name, and a path there is a local folder (an attack trial: another folder\'s code under a vetted package\'s name)', () => {
    const vetted = vettedSet([{ name: 'is-number', version: '7.0.0', location: 'node_modules/is-number' }]);
    const store = 'node_modules/.store/is-number@7.0.0-k/node_modules/is-number';
    const diff: DiffNode = { action: null, ideal: null, children: [{ action: 'ADD', ideal: { name: 'is-number', location: store, package: { name: '/tmp/x/e/is-number', version: '7.0.0' } }, children: [] }] };
    const writes = contentWrites(diff);
    expect(writes).toEqual([{ name: 'is-number', location: store, version: '7.0.0', packageName: '/tmp/x/e/is-number' }]);
    expect(unvettedWrites(writes, vetted)).toEqual(writes);
    // The package's own name: vetted as before.
    const own = contentWrites({ action: null, ideal: null, children: [{ action: 'ADD', ideal: { name: 'is-number', location: store, package: { name: 'is-number', version: '7.0.0' } }, children: [] }] });
    expect(unvettedWrites(own, vetted)).toEqual([]);
  });
});

describe('install-strategy=linked: packages with a shrinkwrap are checked before npm unpacks them into the store (before its diff)', () => {
  /** A stand-in with arborist's method name: records whether the original ran. */
  function isolatedStandIn(nodes: object[]) {
    const ran: string[] = [];
    class Stand {
      idealTree = { inventory: new Map(nodes.map((n, i) => [String(i), n])) };
      options = {};
      async [Symbol.for('diffTrees')]() {}
      async createIsolatedTree() {
        ran.push('createIsolatedTree');
        return {};
      }
    }
    return { Stand, ran };
  }
  const nodes = [
    { isProjectRoot: true, location: '', hasShrinkwrap: true },
    { name: 'x', packageName: 'is-number', location: 'node_modules/x', version: '7.0.0', resolved: 'file:/tmp/evil.tgz', hasShrinkwrap: true },
    { name: 'plain', location: 'node_modules/plain', version: '1.0.0' },
  ];

  it('lists the shrinkwrapped packages of the ideal tree (not the root, links or the rest)', () => {
    expect(shrinkwrapped({ inventory: new Map(nodes.map((n, i) => [String(i), n])) })).toEqual([{ name: 'is-number', location: 'node_modules/x', version: '7.0.0', resolved: 'file:/tmp/evil.tgz' }]);
  });

  it('an unvetted one stops the run before npm unpacks anything; a vetted one lets it go on', async () => {
    const { Stand, ran } = isolatedStandIn(nodes);
    const seen: ContentWrite[][] = [];
    stopBeforeContentWrites(Stand, (writes) => writes.filter((w) => w.location !== 'node_modules/vetted'), async (writes) => {
      seen.push(writes);
      throw new Error('stopped');
    });
    await expect(new Stand().createIsolatedTree()).rejects.toThrow('stopped');
    expect(ran).toEqual([]);
    expect(seen[0]!.map((w) => w.location)).toEqual(['node_modules/x']);
    const ok = isolatedStandIn([{ name: 'vetted', location: 'node_modules/vetted', version: '1.0.0', hasShrinkwrap: true }]);
    stopBeforeContentWrites(ok.Stand, (writes) => writes.filter((w) => w.location !== 'node_modules/vetted'), async () => {
      throw new Error('stopped');
    });
    await new ok.Stand().createIsolatedTree();
    expect(ok.ran).toEqual(['createIsolatedTree']);
  });
});

describe('unvettedWriteMessage: the advice lets the install through', () => {
  it('a hoisted folder: remove it (it is installed anew, vetted); in linked mode\'s store: remove node_modules (removing the store folder changed nothing: the planted entry stands elsewhere)', () => {
    expect(unvettedWriteMessage([{ name: 'a', version: '1.0.0', location: 'node_modules/a' }]))
      .toBe('npm would also write a@1.0.0 at node_modules/a, which node_modules claims to have already: the folder differs from npm\'s record of it; remove node_modules/a and run again');
    const store = 'node_modules/.store/a@1.0.0-k/node_modules/a';
    const linked = unvettedWriteMessage([{ name: 'a', version: '1.0.0', location: store }, { name: 'b', version: '2.0.0', location: 'node_modules/b' }]);
    expect(linked).toContain(`into its store at ${store} (and 1 more), which was not vetted`);
    expect(linked).toMatch(/remove node_modules and run again/);
    expect(linked).not.toContain(`remove ${store}`);
  });
});
