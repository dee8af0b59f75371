/**
 * SAFE_NPM_TIMING=1: a named point in time on stderr ("safe-npm: 812 ms tree resolved"), for
 * profiles and for tests that act at a given moment. After a Ctrl-C the interrupt line is the last
 * word (see npm-interrupts.ts): a mark of work that finished meanwhile would read as progress.
 */
import type { Interrupts } from '../run/interrupts.js';

export type Mark = (label: string) => void;

export function timingMarks(env: Record<string, string | undefined>, interrupts: Pick<Interrupts, 'received'>): Mark | undefined {
  if (env.SAFE_NPM_TIMING !== '1') return undefined;
  return (label) => {
    if (interrupts.received() === undefined) process.stderr.write(`safe-npm: ${Math.round(performance.now())} ms ${label}\n`);
  };
}
