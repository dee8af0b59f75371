import { depthOf } from './installed-tree.js';
import { EVENT_ORDER, type ScriptCandidate, type ScriptEvent } from './types.js';

/** One package to run: its events back to back, in order. */
export interface PlannedStep {
  candidate: ScriptCandidate;
  events: Array<{ event: ScriptEvent; script: string }>;
  /** Run it with the network shared (the approval grants it). */
  network: boolean;
  /** Locations of other planned steps this one depends on (transitively): skipped if one fails. */
  dependsOn: string[];
}

export interface WithheldScript {
  candidate: ScriptCandidate;
  /** Why it does not run: unreviewed, changed, denied, manifest confusion, ... */
  reason: string;
}

export interface RunPlan {
  projectDir: string;
  steps: PlannedStep[];
  withheld: WithheldScript[];
  /** Cycle breaks and other ordering notes, one line each. */
  warnings: string[];
}

/** What the caller decided for one candidate (from classify() and the prompt). */
export type ReplayDecision = { run: true; network?: boolean } | { run: false; reason: string };

function byDepthThenPath(a: ScriptCandidate, b: ScriptCandidate): number {
  return depthOf(a.location) - depthOf(b.location) || (a.location < b.location ? -1 : a.location > b.location ? 1 : 0);
}

/**
 * Order candidates so dependencies run before their dependents (edges are transitive through any
 * installed node, so A -> X -> B keeps A after B even when X does not run). Cycles are broken by
 * depth then path, with a warning. The root project (and other first-party links) run last;
 * within a package: preinstall -> install -> postinstall -> (pre|post)prepare.
 */
export function orderCandidates(candidates: ScriptCandidate[]): { ordered: ScriptCandidate[]; warnings: string[] } {
  const warnings: string[] = [];
  const tier = (c: ScriptCandidate) => (c.isRoot ? 2 : c.source === 'link' ? 1 : 0);
  const byLocation = new Map(candidates.map((c) => [c.location, c]));
  const ordered: ScriptCandidate[] = [];
  for (const t of [0, 1, 2]) {
    const group = candidates.filter((c) => tier(c) === t);
    const inGroup = new Set(group.map((c) => c.location));
    const pending = new Map(group.map((c) => [c.location, new Set(c.dependsOn.filter((d) => inGroup.has(d) && d !== c.location))]));
    const done = new Set<string>();
    while (pending.size) {
      const ready = [...pending.entries()].filter(([, deps]) => [...deps].every((d) => done.has(d))).map(([loc]) => byLocation.get(loc)!);
      let next: ScriptCandidate[];
      if (ready.length) next = ready.sort(byDepthThenPath);
      else {
        // A cycle: run the shallowest (then first by path) of what is left.
        const left = [...pending.keys()].map((l) => byLocation.get(l)!).sort(byDepthThenPath);
        const pick = left[0]!;
        const cycle = left.filter((c) => c.dependsOn.includes(pick.location) && pick.dependsOn.includes(c.location));
        warnings.push(
          `dependency cycle between ${[pick, ...cycle].map((c) => `${c.name}@${c.version}`).join(', ')}: running ${pick.name}@${pick.version} first (shallowest, then by path)`,
        );
        next = [pick];
      }
      for (const c of next) {
        ordered.push(c);
        done.add(c.location);
        pending.delete(c.location);
      }
    }
  }
  return { ordered, warnings };
}

/** The events of one candidate in run order. */
export function eventsOf(c: ScriptCandidate): Array<{ event: ScriptEvent; script: string }> {
  const out: Array<{ event: ScriptEvent; script: string }> = [];
  for (const event of EVENT_ORDER) {
    const script = c.scripts[event];
    if (script !== undefined) out.push({ event, script });
  }
  return out;
}

/**
 * The run plan: candidates the caller decided to run, ordered; the others withheld with a reason.
 * Candidates with problems (manifest confusion) are withheld whatever was decided.
 */
export function planReplay(projectDir: string, candidates: ScriptCandidate[], decide: (c: ScriptCandidate) => ReplayDecision): RunPlan {
  const withheld: WithheldScript[] = [];
  const toRun: Array<{ c: ScriptCandidate; network: boolean }> = [];
  for (const c of candidates) {
    if (c.problems.length) {
      withheld.push({ candidate: c, reason: c.problems.join('; ') });
      continue;
    }
    const d = decide(c);
    if (d.run) toRun.push({ c, network: Boolean(d.network) });
    else withheld.push({ candidate: c, reason: d.reason });
  }
  const { ordered, warnings } = orderCandidates(toRun.map((x) => x.c));
  const network = new Map(toRun.map((x) => [x.c.location, x.network]));
  const planned = new Set(ordered.map((c) => c.location));
  const steps = ordered.map((c) => ({
    candidate: c,
    events: eventsOf(c),
    network: network.get(c.location) ?? false,
    // The root depends on everything it reaches; first-party links on what they reach.
    dependsOn: c.dependsOn.filter((d) => planned.has(d)),
  }));
  return { projectDir, steps, withheld, warnings };
}
