/**
 * npm's engine, started before the rest of safe-npm is even loaded: for a user running safe-npm on
 * their own (no build user to pick, so no settings to read), the worker can start loading arborist
 * right after the command line is parsed. Imports only what spawning needs.
 */
import type { NpmInvocation } from '../npm/npm-invocation.js';
import { removeStaleAreas } from '../npm/run-npm-install.js';
import { spawnTreeWorker, type TreeWorker } from '../npm/tree-install.js';
import type { Interrupts } from '../run/interrupts.js';
import { processInterrupts } from './npm-interrupts.js';

export interface EarlyEngine {
  interrupts: Interrupts;
  worker?: TreeWorker;
}

const engineKinds = new Set(['install', 'update', 'install-test', 'ci', 'install-ci-test', 'reify']);

export function startEarlyEngine(invocation: NpmInvocation, realNpm: string, env: Record<string, string | undefined>): EarlyEngine {
  const interrupts = processInterrupts();
  const self = process.geteuid?.() !== 0;
  // What a killed run of this user left in the temp folder goes now (root's runs do it for the build users).
  if (self) removeStaleAreas([process.geteuid?.() ?? -1]);
  const wanted = self && engineKinds.has(invocation.kind) && !invocation.global && invocation.workspaces === false;
  const mark = env.SAFE_NPM_TIMING === '1' ? (label: string) => void process.stderr.write(`safe-npm: ${Math.round(performance.now())} ms ${label}\n`) : undefined;
  const worker = wanted ? spawnTreeWorker({ realNpm, mode: { kind: 'self' }, env, interrupts, mark }) : undefined;
  if (worker) mark?.('npm\'s engine spawned (early)');
  return { interrupts, worker };
}
