/**
 * npm's own engine, run as the build user: a child process that loads the arborist of the real npm,
 * builds the ideal tree (nothing written), sends it to the parent to vet, and — only when told to —
 * reifies exactly that tree with scripts off. One resolution, one install, no second npm start.
 *
 * This file is copied (with tree-nodes.js) into a folder the build user can read: it imports nothing
 * of ours but tree-nodes.js, and nothing from node_modules but the arborist path it is given.
 *
 * Protocol (IPC, advanced serialization):
 *   (argv: --safe-npm-arborist-worker <path of the real npm's arborist>)
 *   parent → { type: 'resolve', options, add, update, before?, exclude }
 *   worker → { type: 'resolved', nodes, tooYoung } | { type: 'error', code, message }
 *   parent → { type: 'reify' } | { type: 'abort' }
 *   worker → { type: 'reified', added, removed, changed } | { type: 'error', code, message }
 */
import { createRequire } from 'node:module';
import { collectNodes, type ArboristNode } from './tree-nodes.js';
import { originOf, watchUnreachable } from './fetch-failures.js';

export interface ResolveMessage {
  type: 'resolve';
  options: Record<string, unknown>;
  add: string[];
  update?: string[] | true;
  before?: Date;
  exclude: string[];
}

type Arb = {
  buildIdealTree(o: object): Promise<ArboristNode>;
  reify(o: object): Promise<unknown>;
  idealTree: ArboristNode | null;
  actualTree?: { inventory: { has(node: unknown): boolean } } | null;
  diff?: DiffNode | null;
};

type DiffNode = { action?: string | null; ideal?: unknown; children?: DiffNode[] };

async function main(): Promise<void> {
  // A parent that has gone away makes send fail: nothing to tell then.
  const send = (message: object) => new Promise<void>((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, () => resolve());
  });
  // Messages are queued from the start: the parent may send while arborist is still loading.
  const queue: Array<{ type: string } & Record<string, unknown>> = [];
  const waiting: Array<(m: { type: string } & Record<string, unknown>) => void> = [];
  process.on('message', (m) => {
    const w = waiting.shift();
    if (w) w(m as never);
    else queue.push(m as never);
  });
  const next = () => new Promise<{ type: string } & Record<string, unknown>>((resolve) => {
    const m = queue.shift();
    if (m) resolve(m);
    else waiting.push(resolve);
  });
  let reifying = false;
  const fail = async (error: unknown) => {
    const e = error as { code?: string; message?: string };
    await send({ type: 'error', code: e.code, message: String(e.message ?? error).split('\n')[0] });
    process.exit(1);
  };
  // The parent is gone (killed): stop, unless the tree is being written in place — then finish it, so
  // that the project is wholly new rather than half written (nobody is left to roll it back).
  process.on('disconnect', () => {
    if (!reifying) process.exit(130);
  });
  // A registry that cannot be reached is an answer now, not after npm's retry back-off (while the
  // tree is being written, npm's own error handling rolls it back instead).
  watchUnreachable(process, (u) => !reifying && void fail(Object.assign(new Error(`the registry ${originOf(u.url)} cannot be reached (${u.code})`), { code: 'EUNREACHABLE' })));
  try {
    // Loaded before the request arrives: this is what starting early buys.
    const arboristPath = process.argv[3]!;
    const Arborist = createRequire(arboristPath)(arboristPath) as new (o: object) => Arb;
    const request = (await next()) as unknown as ResolveMessage;
    if (request.type !== 'resolve') process.exit(0);
    // Relative file: specs resolve from the project (or its staging copy), as in npm.
    process.chdir(String(request.options.path));
    const exclude = [...request.exclude];
    const tooYoung: Array<{ name: string; wanted: string }> = [];
    let arb: Arb;
    // Each round lifts the cooldown for one package with no old-enough version (npm's own `before`
    // would just fail): the newest match is kept, and the parent reports it.
    for (let round = 0; ; round++) {
      // Full documents (times, repository…): the same ones the checks need, fetched once.
      arb = new Arborist({ ...request.options, fullMetadata: true, ...(request.before ? { before: request.before, minReleaseAgeExclude: exclude } : {}) });
      try {
        await arb.buildIdealTree({ add: request.add, update: request.update });
        break;
      } catch (error) {
        const e = error as { code?: string; name?: string; wanted?: string };
        // ETARGET: nothing old enough matches; ENOVERSIONS: every version is younger (a brand-new package).
        if (request.before && (e.code === 'ETARGET' || e.code === 'ENOVERSIONS') && e.name && !exclude.includes(e.name) && round < 50) {
          exclude.push(e.name);
          tooYoung.push({ name: e.name, wanted: e.wanted ?? '' });
          continue;
        }
        throw error;
      }
    }
    const nodes = collectNodes(arb.idealTree!);
    await send({ type: 'resolved', nodes, tooYoung, packuments: packumentsOf(arb, new Set(nodes.map((n) => n.name))) });
    const order = await next();
    if (order.type !== 'reify') process.exit(0);
    reifying = true;
    // As npm's install/update commands do: the options go to reify too (save, saveType, dryRun…).
    await arb.reify({ ...request.options, add: request.add, update: request.update });
    await send({ type: 'reified', ...diffCounts(arb) });
    process.exit(0);
  } catch (error) {
    await fail(error);
  }
}

/**
 * npm's own summary counts (lib/utils/reify-output.js): the whole diff, nested installs too; an
 * added node counts only when it is in the tree on disk (a skipped optional one is not).
 */
function diffCounts(arb: Arb): { added: number; removed: number; changed: number } {
  const counts = { added: 0, removed: 0, changed: 0 };
  const visit = (d: DiffNode) => {
    if (d.action === 'ADD' && (!arb.actualTree || arb.actualTree.inventory.has(d.ideal))) counts.added++;
    else if (d.action === 'REMOVE') counts.removed++;
    else if (d.action === 'CHANGE') counts.changed++;
    for (const child of d.children ?? []) visit(child);
  };
  if (arb.diff) visit(arb.diff);
  return counts;
}

/** Manifest fields the checks read; the rest of a full packument stays here. */
const manifestFields = ['name', 'version', 'scripts', 'gypfile', 'deprecated', 'repository', 'description', 'dependencies', 'optionalDependencies', 'dist', '_npmUser'];

/**
 * The packuments the resolution fetched, trimmed to what the checks read, so the parent vets the
 * tree on the very documents npm resolved it from — and without fetching them again.
 */
function packumentsOf(arb: Arb, names: Set<string>): Record<string, unknown> {
  const cache = (arb as unknown as { options: { packumentCache?: { entries(): Iterable<[string, unknown]> } } }).options.packumentCache;
  const out: Record<string, unknown> = {};
  if (!cache) return out;
  for (const [key, value] of cache.entries()) {
    if (!key.startsWith('full:')) continue; // corgi documents lack times, repository, description
    const doc = value as { name?: string; versions?: Record<string, Record<string, unknown>>; time?: unknown; 'dist-tags'?: unknown; maintainers?: unknown };
    if (!doc?.name || !names.has(doc.name) || !doc.versions) continue;
    const versions: Record<string, Record<string, unknown>> = {};
    for (const [v, manifest] of Object.entries(doc.versions)) {
      const trimmed: Record<string, unknown> = {};
      for (const field of manifestFields) if (manifest[field] !== undefined) trimmed[field] = manifest[field];
      versions[v] = trimmed;
    }
    out[doc.name] = {
      name: doc.name, 'dist-tags': doc['dist-tags'], versions,
      ...(doc.time ? { time: doc.time } : {}),
      ...('maintainers' in doc ? { maintainers: doc.maintainers } : {}),
    };
  }
  return out;
}

if (process.send && process.argv[2] === '--safe-npm-arborist-worker') void main();
