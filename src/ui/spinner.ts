/** The only importer of ora. A no-op unless stderr is a TTY. Its text may name a spec as typed: neutralized. */
import { neutralize } from './neutralize.js';

export interface Spinner {
  update(text: string): void;
  stop(): void;
}

export async function startSpinner(text: string, enabled: boolean): Promise<Spinner> {
  if (!enabled) return { update() {}, stop() {} };
  const { default: ora } = await import('ora');
  const spinner = ora({ text: neutralize(text), stream: process.stderr, discardStdin: false }).start();
  return {
    update(t) { spinner.text = neutralize(t); },
    stop() { spinner.stop(); },
  };
}
