/** `safe-npm safe update-db` / `safe-pip safe update-db [--url URL]`: download the known-malicious feed. */
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Ecosystem } from '../core/types.js';
import { ownCommandFor } from '../cli/own-command.js';
import { feedPath, feedUrl, foreignFeedFolder, updateFeed } from './feed-store.js';
import { neutralize } from '../ui/neutralize.js';

export interface UpdateDbIo {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
}

export async function runUpdateDb(ecosystem: Ecosystem, args: readonly string[], io: UpdateDbIo, now = new Date()): Promise<number> {
  const tool = ecosystem === 'pypi' ? 'safe-pip' : 'safe-npm';
  const typed = ownCommandFor(ecosystem, io.env);
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--url' && args[i + 1]) url = args[++i];
    else if (a.startsWith('--url=')) url = a.slice('--url='.length);
    else throw new UsageError(`usage: ${typed} safe update-db [--url <OSV export zip, or a base URL with OSV's layout>]`);
  }
  const foreign = foreignFeedFolder(ecosystem, io.env);
  if (foreign) throw new UsageError(`${foreign.problem}; nothing was downloaded; ${foreign.fix}`);
  const result = await updateFeed({ ecosystem, url: feedUrl(ecosystem, io.env, url), path: feedPath(ecosystem, io.env), now });
  if (result.ok) {
    io.stdout(`${neutralize(result.message)}\n`);
    return ExitCode.ok;
  }
  io.stderr(`${tool}: ${neutralize(result.message)}\n`);
  return ExitCode.couldNotVerify;
}
