/**
 * Stage "strict scripts" (--safe-strict-scripts without a TTY): a package of the vetted tree whose
 * install scripts have no decision yet would be withheld (exit 67). Said before anything is written,
 * so that this stop too leaves package.json, the lockfile and node_modules as they were.
 */
import { ExitCode } from '../core/exit-codes.js';
import { neutralizeLines } from '../ui/neutralize.js';
import type { RegistryClient } from '../npm/npm-registry.js';
import { classify, discoverInstallScripts, readAllowScripts, type AllowScripts } from '../npm/scripts/index.js';
import type { ResolvedNode } from '../npm/tree-nodes.js';
import type { ScriptDecision } from '../config/store.js';
import type { NpmSession } from './npm-session.js';
import { readPackageJson, rootScriptsRun } from './npm-scripts.js';

const installEvents = ['preinstall', 'install', 'postinstall'] as const;

/** Returns the exit code (67) when a new or changed registry package has unapproved install scripts. */
export async function refuseUnapprovedScripts(changed: readonly ResolvedNode[], s: NpmSession, registry: RegistryClient): Promise<number | undefined> {
  const decisions = s.store.scriptDecisions('npm');
  const allowScripts = readAllowScripts(readPackageJson(s.projectDir));
  const unapproved: string[] = [];
  for (const node of changed) {
    if (!node.registry) continue;
    const result = await registry.packument(node.name);
    const manifest = result.ok ? result.packument.versions?.[node.version] : undefined;
    const scripts = installScriptsOf(manifest);
    if (Object.keys(scripts).length === 0 || decided(node, decisions, allowScripts)) continue;
    const events = Object.entries(scripts).map(([e, text]) => `${e}: ${text}`).join('; ');
    unapproved.push(`  ${node.name}@${node.version} [${events}] — approve with: ${s.deps.ownCommand} safe approve ${node.name}@${node.version}`);
  }
  // The project's own install scripts run in a plain `npm install` / `ci` (as npm runs them): approved separately.
  if (rootScriptsRun(s.inv)) {
    const root = (await discoverInstallScripts(s.projectDir)).find((c) => c.isRoot);
    const status = root ? classify(root, { decisions, allowScripts }).status : 'approved';
    if (root && status !== 'approved' && status !== 'denied') {
      const events = Object.entries(root.scripts).map(([e, text]) => `${e}: ${text}`).join('; ');
      unapproved.push(`  this project (${root.name}@${root.version}) [${events}] — approve with: ${s.deps.ownCommand} safe approve . (in ${root.path})`);
    }
  }
  if (unapproved.length === 0) return undefined;
  s.deps.stderr(`safe-npm: install stopped (exit ${ExitCode.scriptsWithheld}, strict scripts); nothing was changed: these install scripts are not approved:\n${neutralizeLines(unapproved.join('\n'))}\n`);
  return ExitCode.scriptsWithheld;
}

/** The install-time scripts a published manifest declares (npm adds `install: node-gyp rebuild` for a binding.gyp on publish). */
function installScriptsOf(manifest: { scripts?: Record<string, string>; gypfile?: boolean } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of installEvents) if (manifest?.scripts?.[e]) out[e] = manifest.scripts[e]!;
  if (manifest?.gypfile && !out.install && !out.preinstall) out.install = 'node-gyp rebuild';
  return out;
}

/** A decision exists: approved for this version, denied by name (a deny is a decision), or npm's allowScripts names it. */
function decided(node: ResolvedNode, decisions: Record<string, ScriptDecision>, allowScripts: AllowScripts): boolean {
  if (decisions[node.name]?.decision === 'deny') return true;
  if (decisions[`${node.name}@${node.version}`]?.decision === 'allow') return true;
  return allowScripts.rules.some((r) => r.name === node.name && (r.versions === 'any' || r.versions.includes(node.version)));
}
