/** The home of execa: run a command given as data, inheriting stdio by default, forwarding signals. */
export type Command = [bin: string, args: string[]];

export interface RunOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  uid?: number;
  gid?: number;
  /** 'inherit' (default) streams to our terminal; 'pipe' captures. */
  stdio?: 'inherit' | 'pipe';
  input?: string;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCommand([bin, args]: Command, options: RunOptions): Promise<RunResult> {
  const { execa } = await import('execa');
  const child = execa(bin, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    uid: options.uid,
    gid: options.gid,
    reject: false,
    stdio: options.stdio === 'pipe' ? ['pipe', 'pipe', 'pipe'] : 'inherit',
    input: options.input,
    stripFinalNewline: false,
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    const result = await child;
    const signalCode = result.signal ? 128 + (signalNumber(result.signal) ?? 0) : undefined;
    return {
      exitCode: result.exitCode ?? signalCode ?? 1,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
    };
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}

function signalNumber(signal: string): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal];
}
