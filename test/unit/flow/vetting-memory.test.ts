/**
 * What vetting needed is let go before npm installs (the run's peak, issue 13): the registry client
 * with every document it fetched or was handed, and the popular-names tables (which come back when
 * asked again). Unreachability is observed with WeakRefs after a forced collection, on a later turn
 * of the event loop (a WeakRef's target is kept until the job that made it ends): no timing involved.
 */
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { forgetPopularNames, popularNames } from '../../../src/checks/popular-names.js';
import { npmInstallFlow } from '../../../src/flow/npm-install.js';
import type { NpmInvocation } from '../../../src/npm/npm-invocation.js';
import type { Packument, PackumentResult, RegistryClient } from '../../../src/npm/npm-registry.js';
import { parseSpec } from '../../../src/npm/parse-npm-args.js';
import { collectGarbageNow } from '../../../src/run/lean-heap.js';
import { fakeDeps, packument } from '../../helpers/fake-npm-deps.js';

function install(args: string[]): NpmInvocation {
  return {
    kind: 'install', command: 'install', typedCommand: 'i', specs: args.map((a) => parseSpec(a, process.cwd())), positionals: args,
    global: false, workspaces: false, npmArgs: ['i', ...args], ownFlags: { yes: false, strictScripts: false, project: false, other: {} }, cliConfig: {},
  };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A registry like the real one: each document fetched once and kept, documents handed over kept too. */
function keepingRegistry(made: (doc: object) => void): RegistryClient {
  const memo = new Map<string, Promise<PackumentResult>>();
  return {
    options: {},
    prime(name, doc) {
      if (!memo.has(name)) memo.set(name, Promise.resolve({ ok: true, packument: doc }));
    },
    packument(name) {
      let pending = memo.get(name);
      if (!pending) {
        // A new object per fetch (nothing else holds it), as a parsed registry answer is.
        const doc = packument(name);
        made(doc);
        pending = Promise.resolve({ ok: true as const, packument: doc });
        memo.set(name, pending);
      }
      return pending;
    },
  };
}

/** Made where no closure of the fake keeps it (a closure's scope is shared by its siblings). */
function handedOver(refs: Array<{ what: string; ref: WeakRef<object> }>): Packument {
  const doc = { name: 'dep', versions: {} } as Packument;
  refs.push({ what: 'handed over dep', ref: new WeakRef(doc) });
  return doc;
}

describe('vetting memory', () => {
  it('before the install, the registry and every document it held are unreachable, and vettingDone was called once', async () => {
    const t = await fakeDeps({ packuments: { 'left-pad': packument('left-pad') } });
    const refs: Array<{ what: string; ref: WeakRef<object> }> = [];
    t.deps.createRegistry = async () => {
      const registry = keepingRegistry((doc) => refs.push({ what: `fetched ${(doc as Packument).name}`, ref: new WeakRef(doc) }));
      refs.push({ what: 'registry', ref: new WeakRef(registry) });
      return registry;
    };
    // npm's engine hands over the documents it resolved with (as arborist-worker.ts does).
    const spawn = t.deps.spawnTreeWorker.bind(t.deps);
    let reachableAtInstall: string[] | undefined;
    let vettingDone = 0;
    t.deps.vettingDone = () => void vettingDone++;
    t.deps.spawnTreeWorker = (mode, cacheRoot) => {
      const worker = spawn(mode, cacheRoot);
      return {
        ...worker,
        start(request) {
          const tree = worker.start(request);
          return {
            ...tree,
            resolved: tree.resolved.then((r) => ({ ...r, packuments: { dep: handedOver(refs) } })),
            async install() {
              expect(vettingDone).toBe(1);
              await nextTurn();
              expect(collectGarbageNow()).toBe(true);
              reachableAtInstall = refs.filter((r) => r.ref.deref() !== undefined).map((r) => r.what);
              return tree.install();
            },
          };
        },
      };
    };
    expect(await npmInstallFlow(install(['left-pad']), t.deps)).toBe(0);
    expect(refs.map((r) => r.what).sort()).toEqual(['fetched left-pad', 'handed over dep', 'registry']);
    expect(reachableAtInstall).toEqual([]);
  });
});

describe('forgetPopularNames', () => {
  const used = () => {
    collectGarbageNow();
    return v8.getHeapStatistics().used_heap_size;
  };

  it('lets the tables go; the same index answers alike afterwards (built again from the data file)', async () => {
    forgetPopularNames();
    const index = popularNames('npm');
    const asked = ['lodahs', 'expresss', 'react', 'lodash'];
    const answers = () => asked.map((n) => [index.isPopular(n), index.lookAlike(n)]);
    const first = answers();
    expect(first[0]![1]).toMatchObject({ target: 'lodash' });
    await nextTurn();
    const built = used();
    forgetPopularNames();
    await nextTurn();
    const forgotten = used();
    // npm's 20,000 names make tables of several MB.
    expect(built - forgotten).toBeGreaterThan(3_000_000);
    expect(answers()).toEqual(first);
    expect(popularNames('npm')).toBe(index);
  });
});
