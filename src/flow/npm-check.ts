/**
 * `safe-npm safe check <spec>…`: the same stages as an install — npm's engine resolves the tree the
 * specs bring (in a scratch project, nothing installed anywhere), the requested packages and every
 * package of that tree are checked — and the reports are the answer. Stops before decide.
 */
import type { PackageReport } from '../core/types.js';
import type { NpmInvocation, NpmSpecRequest } from '../npm/npm-invocation.js';
import { checkRequested, checkTree } from './npm-checks.js';
import { cooldownFor, resolveTree, startResolve } from './npm-resolve.js';
import type { NpmFlowDeps } from './npm-session.js';
import { closeSession, locateProject, openSession } from './npm-who.js';

export interface TreeCheck {
  /** The requested packages' reports in order, then each package of their tree that has something to say. */
  reports: PackageReport[];
  /** How many packages were checked: the whole tree (the reports leave out those with nothing to say). */
  checked: number;
}

/** Checks the tree the specs bring; or an exit code. */
export async function npmCheckTree(specs: NpmSpecRequest[], deps: NpmFlowDeps): Promise<TreeCheck | number> {
  const raw = specs.map((s) => s.raw);
  const inv: NpmInvocation = {
    kind: 'install', command: 'install', typedCommand: 'install', specs, positionals: raw, global: false, workspaces: false,
    npmArgs: ['install', ...raw], ownFlags: { yes: false, strictScripts: false, project: false, other: {} }, cliConfig: {},
  };
  const s = await openSession(inv, deps);
  try {
    await locateProject(s);
    const cooldown = cooldownFor('resolve', s.settings, deps.now());
    s.tree = startResolve(s, raw, cooldown, 'resolve', { resolveOnly: true });
    const registry = await deps.createRegistry(s.config, s.cacheDir);
    const requested = (await checkRequested(s, registry, cooldown)).map((c) => c.report);
    // A requested package that is not there has no tree to speak of: its report is the answer.
    if (requested.some((r) => r.findings.some((f) => f.check === 'not-found' || f.check === 'version-not-found' || f.check === 'could-not-verify'))) return { reports: requested, checked: requested.length };
    const spinner = await deps.spinner('resolving the dependency tree');
    const tree = await resolveTree('resolve', s, registry, spinner);
    if (typeof tree === 'number') return tree;
    spinner.update(`checking ${tree.nodes.length} packages`);
    const reports = await checkTree(tree, tree.nodes, 'resolve', s, registry, cooldown.before);
    spinner.stop();
    return {
      reports: [...requested, ...reports.filter((r) => r.findings.some((f) => f.severity !== 'info'))],
      checked: Math.max(tree.nodes.length, requested.length),
    };
  } finally {
    await closeSession(s);
  }
}
