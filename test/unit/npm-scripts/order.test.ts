import { describe, expect, it } from 'vitest';
import { eventsOf, orderCandidates, planReplay } from '../../../src/npm/scripts/order.js';
import { makeCandidate } from './fixture.js';

const names = (cs: Array<{ name: string }>) => cs.map((c) => c.name);

describe('orderCandidates', () => {
  it('runs dependencies first (A depends on B -> B, then A), whatever the depth or name order', () => {
    const a = makeCandidate({ name: 'a', dependsOn: ['node_modules/a/node_modules/b'] });
    const b = makeCandidate({ name: 'b', location: 'node_modules/a/node_modules/b' });
    const c = makeCandidate({ name: 'c' });
    const { ordered, warnings } = orderCandidates([a, b, c]);
    expect(names(ordered)).toEqual(['c', 'b', 'a']);
    expect(warnings).toEqual([]);
  });

  it('breaks a cycle by depth then path, with a warning', () => {
    const x = makeCandidate({ name: 'x', location: 'node_modules/q/node_modules/x', dependsOn: ['node_modules/y'] });
    const y = makeCandidate({ name: 'y', dependsOn: ['node_modules/q/node_modules/x'] });
    // dependsOn is transitive (as discovery computes it): z -> y -> x
    const z = makeCandidate({ name: 'z', dependsOn: ['node_modules/q/node_modules/x', 'node_modules/y'] });
    const { ordered, warnings } = orderCandidates([x, y, z]);
    expect(names(ordered)).toEqual(['y', 'x', 'z']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cycle between y@1\.0\.0, x@1\.0\.0: running y@1\.0\.0 first/);
  });

  it('puts first-party links after dependencies and the root last', () => {
    const root = makeCandidate({ name: 'proj', location: '', isRoot: true, source: 'root', dependsOn: ['node_modules/a', 'packages/w'] });
    const w = makeCandidate({ name: 'w', location: 'packages/w', source: 'link' });
    const a = makeCandidate({ name: 'a', dependsOn: ['packages/w'] });
    expect(names(orderCandidates([root, w, a]).ordered)).toEqual(['a', 'w', 'proj']);
  });
});

describe('planReplay', () => {
  it('orders events within a package and withholds what was not approved or has problems', () => {
    const a = makeCandidate({ name: 'a', scripts: { postinstall: '3', preinstall: '1', install: '2' }, dependsOn: ['node_modules/b', 'node_modules/c'] });
    const b = makeCandidate({ name: 'b' });
    const c = makeCandidate({ name: 'c' });
    const bad = makeCandidate({ name: 'bad', problems: ['manifest confusion: x'] });
    const plan = planReplay('/proj', [a, b, c, bad], (x) => (x.name === 'c' ? { run: false, reason: 'unreviewed' } : { run: true, network: x.name === 'b' }));
    expect(plan.steps.map((s) => s.candidate.name)).toEqual(['b', 'a']);
    expect(eventsOf(a).map((e) => e.event)).toEqual(['preinstall', 'install', 'postinstall']);
    expect(plan.steps[1]!.dependsOn).toEqual(['node_modules/b']);
    expect(plan.steps[0]!.network).toBe(true);
    expect(plan.withheld.map((w) => [w.candidate.name, w.reason])).toEqual([
      ['c', 'unreviewed'],
      ['bad', 'manifest confusion: x'],
    ]);
  });
});
