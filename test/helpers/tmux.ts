/**
 * A terminal a person would use: tmux runs a command in a pseudo-terminal; tests read the screen and
 * type keys. Used for the prompt tests (inquirer needs a real TTY).
 */
import { execFileSync } from 'node:child_process';

export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

export interface Terminal {
  /** The screen as text; `escapes`: with its colour codes (tmux capture-pane -e). */
  screen(escapes?: boolean): string;
  /** Resolves with the screen once `pattern` shows; fails with the screen after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  keys(...keys: string[]): void;
  close(): void;
}

let sessions = 0;

/**
 * Run `argv` (through `sh -c`, followed by `echo "EXIT=$?"`) in a new tmux session, with exactly
 * `env` (CI removed: a terminal user is not CI) and cwd `cwd`.
 */
export function startTerminal(options: { cwd: string; env: Record<string, string>; argv: string[]; width?: number; height?: number }): Terminal {
  const session = `safe-tty-${process.pid}-${++sessions}`;
  const env: Record<string, string> = { ...options.env, TERM: 'xterm-256color' };
  delete env.CI;
  const quoted = options.argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  execFileSync('tmux', [
    'new-session', '-d', '-s', session, '-x', String(options.width ?? 160), '-y', String(options.height ?? 50), '-c', options.cwd,
    'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    'sh', '-c', `${quoted}; echo "EXIT=$?"; sleep 60`,
  ]);
  const screen = (escapes = false) => execFileSync('tmux', ['capture-pane', '-p', '-J', ...(escapes ? ['-e'] : []), '-S', '-200', '-t', session], { encoding: 'utf8' });
  return {
    screen,
    async waitFor(pattern, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const text = screen();
        if (pattern.test(text)) return text;
        if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; screen:\n${text}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    keys(...keys) {
      for (const key of keys) execFileSync('tmux', ['send-keys', '-t', session, key]);
    },
    close() {
      try {
        execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
      } catch { /* already gone */ }
    },
  };
}
