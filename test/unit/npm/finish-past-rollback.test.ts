/**
 * npm's engine writing a project in place (arborist's reify): on a signal npm rolls back what it
 * can (its steps up to linking the bins); from removing what it replaced on, it cannot, and a signal
 * there used to stop it between node_modules and package.json. The worker holds a signal from that
 * step on, so the install finishes. Proven on a stand-in with arborist's step names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { finishPastRollback } from '../../../src/npm/arborist-steps.js';

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const start = Object.fromEntries(signals.map((s) => [s, process.listeners(s)]));
afterEach(() => {
  for (const sig of signals) for (const l of process.listeners(sig)) if (!start[sig]!.includes(l)) process.removeListener(sig, l);
});

/** Arborist's reify as far as signals go: its handler while it writes, then the last step. */
class StandIn {
  log: string[] = [];
  npmHandler = () => this.log.push('npm rolls back');
  [Symbol.for('retireShallowNodes')](): void {
    this.log.push('first write');
  }
  [Symbol.for('removeTrash')](): void {
    this.log.push('remove trash');
  }
  reify(signalAt: 'writing' | 'last step'): string[] {
    process.on('SIGINT', this.npmHandler);
    (this as unknown as Record<symbol, () => void>)[Symbol.for('retireShallowNodes')]!();
    if (signalAt === 'writing') process.emit('SIGINT', 'SIGINT');
    (this as unknown as Record<symbol, () => void>)[Symbol.for('removeTrash')]!();
    if (signalAt === 'last step') process.emit('SIGINT', 'SIGINT');
    return this.log;
  }
}

describe('a signal while npm writes the project in place', () => {
  finishPastRollback(StandIn as never);

  it('while npm can roll back: npm\'s handler gets it (and a handler of ours keeps the process alive for the rollback)', () => {
    const arb = new StandIn();
    expect(arb.reify('writing')).toEqual(['first write', 'npm rolls back', 'remove trash']);
    for (const sig of signals) expect(process.listeners(sig).length).toBeGreaterThan(start[sig]!.length);
  });

  it('past the last rollback: npm\'s handler is off, the signal is held, the install goes on to the end', () => {
    const arb = new StandIn();
    expect(arb.reify('last step')).toEqual(['first write', 'remove trash']);
    expect(process.listeners('SIGINT')).not.toContain(arb.npmHandler);
    expect(process.listeners('SIGINT').length).toBeGreaterThan(0);
  });

  it('before npm writes anything, nothing of ours listens: a signal ends the engine at once', () => {
    class Fresh extends StandIn {}
    finishPastRollback(Fresh as never);
    new Fresh();
    for (const sig of signals) expect(process.listeners(sig)).toEqual(start[sig]);
  });
});
