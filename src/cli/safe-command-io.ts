/**
 * What every `safe …` subcommand receives from its entry file. Its own module, below the
 * dispatcher (safe-commands.ts) and the subcommands, so none of them import each other for a type.
 */
export interface SafeCommandIo {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  stdoutIsTTY: boolean;
  /** The real npm / pip binary, found lazily (not needed by every subcommand). */
  realTool(): string;
}
