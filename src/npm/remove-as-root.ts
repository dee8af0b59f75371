/**
 * `npm uninstall <pkg>` by root in a root-owned project. The build user and its staging copy exist so
 * that nothing root runs ever unpacks a package; a removal that unpacks nothing does not need them.
 * npm's engine is loaded in this process, as root, with npm's own options plus `offline` (nothing can
 * be fetched) and scripts off; it builds the tree npm would leave, and only when npm's own diff of
 * that tree against node_modules has nothing to add or change (and neither tree has links) does the
 * same engine write it — the tree it checked, not one built again. Anything else is `undefined` here
 * and goes the staging way, as before.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { reifyCounts, type Arb } from './arborist-worker.js';
import type { ArboristNode } from './tree-nodes.js';

type Tree = ArboristNode & { inventory: Map<string, ArboristNode> };
type RemovingArb = Arb & { idealTree: Tree | null; loadActual(o?: object): Promise<Tree> };
type DiffNode = { action?: string | null; children?: DiffNode[] };
type DiffModule = { calculate(o: { actual: Tree; ideal: Tree }): DiffNode };

/** Whether npm's diff of the two trees (the one reify acts on) only removes: nothing added or changed. */
export function onlyRemoves(diff: DiffNode): boolean {
  const stack = [diff];
  while (stack.length) {
    const d = stack.pop()!;
    if (d.action && d.action !== 'REMOVE') return false;
    stack.push(...(d.children ?? []));
  }
  return true;
}

/** Links (workspaces, file: dependencies) are left to the staging way. */
function hasLinks(tree: Tree): boolean {
  for (const node of tree.inventory.values()) if (node.isLink) return true;
  return false;
}

export interface RootRemoval {
  /** Writes the checked tree; npm's counts, or the error. */
  run(): Promise<{ ok: true; added: number; removed: number; changed: number } | { ok: false; error: string }>;
}

export async function removalOnly(request: { arboristPath: string; projectDir: string; options: Record<string, unknown>; rm: string[] }): Promise<RootRemoval | undefined> {
  const req = createRequire(request.arboristPath);
  const Arborist = req(request.arboristPath) as new (o: object) => RemovingArb;
  const options = { ...request.options, path: request.projectDir, offline: true, ignoreScripts: true, audit: false };
  const arb = new Arborist(options);
  try {
    await arb.buildIdealTree({ ...options, rm: request.rm });
    const actual = await arb.loadActual();
    const ideal = arb.idealTree;
    if (!ideal || hasLinks(ideal) || hasLinks(actual)) return undefined;
    // npm's own diff, without its omissions: a package npm would leave out counts as one to add here.
    const Diff = req(join(dirname(request.arboristPath), 'diff.js')) as DiffModule;
    if (!onlyRemoves(Diff.calculate({ actual, ideal }))) return undefined;
  } catch {
    // npm would need something it has not got (offline): the staging way finds out.
    return undefined;
  }
  return {
    async run() {
      try {
        await arb.reify({ ...options, rm: request.rm });
        const { added, removed, changed } = reifyCounts(arb, req);
        return { ok: true, added, removed, changed };
      } catch (error) {
        return { ok: false, error: String((error as Error)?.message ?? error).split('\n')[0]! };
      }
    },
  };
}
