/** Install-script discovery, approval matching, ordering and the sandboxed replay runner. */
export type { ScriptCandidate, ScriptEvent, CandidateSource, ReferencedFile } from './types.js';
export { EVENT_ORDER } from './types.js';
export { commandsOnPath, discoverInstallScripts, findShadowingBins, GYP_COMMAND, scriptsDigest } from './discover.js';
export {
  classify,
  approvalKey,
  denyKey,
  makeApproval,
  makeDenial,
  diffScripts,
  readAllowScripts,
  writeAllowScripts,
  allowScriptsKey,
  type ApprovalSources,
  type ApprovalStatus,
  type Classification,
  type AllowScripts,
  type ScriptDiffEntry,
} from './approvals.js';
export { planReplay, orderCandidates, type RunPlan, type PlannedStep, type WithheldScript, type ReplayDecision } from './order.js';
export { buildScriptEnv, buildScriptPath, isSecretName, type NpmBuildConfig, type Toolchain } from './env.js';
export { locateToolchain, createShimDir } from './toolchain.js';
export { chooseSandbox, findBwrap, bwrapArgs } from './sandbox.js';
export { runInstallScripts, type RunnerDeps, type RunResult, type StepOutcome } from './runner.js';
