/** The only importer of ora. A no-op unless stderr is a TTY. Its text may name a spec as typed: neutralized. */
import { neutralize } from './neutralize.js';

export interface Spinner {
  update(text: string): void;
  stop(): void;
}

/**
 * A terminal that reports no size (0×0: `script`, some CI and `docker exec -t` ptys) gets no spinner:
 * ora would clear an unbounded number of lines there, synchronously, and never let a signal in.
 */
export function spinnerFits(enabled: boolean, columns: number | undefined): boolean {
  return enabled && typeof columns === 'number' && columns > 0;
}

export async function startSpinner(text: string, enabled: boolean, columns = process.stderr.columns): Promise<Spinner> {
  if (!spinnerFits(enabled, columns)) return { update() {}, stop() {} };
  const { default: ora } = await import('ora');
  const spinner = ora({ text: neutralize(text), stream: process.stderr, discardStdin: false }).start();
  return {
    update(t) { spinner.text = neutralize(t); },
    stop() { spinner.stop(); },
  };
}
