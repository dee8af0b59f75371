/** The home of execa: run a command given as data, inheriting stdio by default. */
import type { Readable, Writable } from 'node:stream';
import { neutralizeLines } from '../ui/neutralize.js';
import { signalGroup } from './child-group.js';
import type { Interrupts } from './interrupts.js';

export type Command = [bin: string, args: string[]];

export interface RunOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  uid?: number;
  gid?: number;
  /**
   * 'inherit' (default) streams to our terminal; 'pipe' captures; 'relay' streams stdout and stderr
   * to ours line by line, neutralized (npm's output quotes registry text: deprecation messages…).
   */
  stdio?: 'inherit' | 'pipe' | 'relay';
  input?: string;
  /**
   * Own process group (a build user's npm): a Ctrl-C at the terminal reaches only us; on an interrupt
   * the whole group is stopped and waited for before we exit.
   */
  detached?: boolean;
  /**
   * Where interrupts are handled. Without it, SIGINT/SIGTERM/SIGHUP are forwarded to the child and
   * we wait for it (a command the user asked to run, in the foreground).
   */
  interrupts?: Interrupts;
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
    detached: options.detached ?? false,
    stdio: options.stdio === 'pipe' ? ['pipe', 'pipe', 'pipe'] : options.stdio === 'relay' ? ['inherit', 'pipe', 'pipe'] : 'inherit',
    input: options.input,
    stripFinalNewline: false,
    buffer: options.stdio !== 'relay',
  });
  const relays = options.stdio === 'relay' ? [relayLines(child.stdout, process.stdout), relayLines(child.stderr, process.stderr)] : [];
  const stop = (signal: NodeJS.Signals, force = false) => {
    if (options.detached) signalGroup(child.pid, force ? 'SIGKILL' : signal);
    else child.kill(force ? 'SIGKILL' : signal);
  };
  let unregister = () => {};
  const handlers: Array<readonly [NodeJS.Signals, () => void]> = [];
  if (options.interrupts) {
    // Stopped as a group (npm rolls back on SIGTERM) and waited for: nothing of it outlives us.
    unregister = options.interrupts.onInterrupt(async (signal, force) => {
      stop(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM', force);
      await child.catch(() => undefined);
      if (options.detached) signalGroup(child.pid, 'SIGKILL');
    });
  } else {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) handlers.push([s, () => stop(s)]);
    for (const [s, h] of handlers) process.on(s, h);
  }
  try {
    const result = await child;
    await Promise.all(relays);
    const signalCode = result.signal ? 128 + (signalNumber(result.signal) ?? 0) : undefined;
    return {
      exitCode: result.exitCode ?? signalCode ?? 1,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
    };
  } finally {
    unregister();
    for (const [s, h] of handlers) process.off(s, h);
    // Whatever the build user's npm left running in its group (git, a stray child) goes with it.
    if (options.detached) signalGroup(child.pid, 'SIGKILL');
  }
}

function signalNumber(signal: string): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal];
}

/** Each complete line as it comes (and the last, unterminated one at the end), neutralized. */
function relayLines(from: Readable | null, to: Writable): Promise<void> {
  if (!from) return Promise.resolve();
  let partial = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    const text = partial + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      partial = text;
      return;
    }
    partial = text.slice(end + 1);
    to.write(neutralizeLines(text.slice(0, end + 1)));
  });
  return new Promise((resolve) => {
    from.once('close', () => {
      if (partial) to.write(neutralizeLines(partial));
      partial = '';
      resolve();
    });
  });
}
