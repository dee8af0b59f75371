/** The only importer of ora. A no-op unless stderr is a TTY. */
export interface Spinner {
  update(text: string): void;
  stop(): void;
}

export async function startSpinner(text: string, enabled: boolean): Promise<Spinner> {
  if (!enabled) return { update() {}, stop() {} };
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: process.stderr, discardStdin: false }).start();
  return {
    update(t) { spinner.text = t; },
    stop() { spinner.stop(); },
  };
}
