/** Fetch the exact files of the vetted set into the private wheel folder (reusing the downloads of the resolve). */
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { guardedPipCommand, runCommand, writeWorkFile } from '../pypi/pip-process.js';
import { GUARD_EXIT_BUILD_REFUSED, type GuardSidecar } from '../pypi/pip-guard.js';
import { pinnedLine, type ReportItem } from '../pypi/pip-report.js';
import { indexLines, wheelStepArgs, withoutRequestEnv } from '../pypi/pip-commands.js';
import { parseWheelFilename } from '../pypi/wheel-inspect.js';
import type { FlowState } from './pip-session.js';

export async function fetchWheels(items: ReportItem[], side: GuardSidecar, noBinary: string[], vetted: string[], s: FlowState): Promise<number> {
  const hashed: string[] = [];
  const unhashed: string[] = [];
  for (const item of items) {
    if (item.editable) {
      if (item.kind !== 'dir') throw new UsageError(`editable installs are supported from a local folder only (${item.url}): clone it, then: safe-pip install -e <folder>`);
      continue;
    }
    const { line, hashed: h } = pinnedLine(item);
    (h ? hashed : unhashed).push(line);
  }
  // Wheels pip already downloaded while resolving: used when their sha256 is the one resolved.
  for (const item of items) {
    if (item.editable || !item.isWheel || !item.sha256) continue;
    const kept = join(s.work.kept, decodeURIComponent(item.url.split(/[?#]/)[0]!.split('/').at(-1)!));
    if (existsSync(kept) && sha256File(kept) === item.sha256) {
      renameSync(kept, join(s.work.wheels, basename(kept)));
      hashed.splice(hashed.indexOf(pinnedLine(item).line), 1);
    }
  }
  const header = indexLines(side);
  for (const [lines, withHashes] of [[hashed, true], [unhashed, false]] as const) {
    if (lines.length === 0) continue;
    const file = join(s.work.root, withHashes ? 'fetch-hashed.txt' : 'fetch-unhashed.txt');
    writeWorkFile(file, `${[...header, ...lines].join('\n')}\n`, s.owner);
    const { cmd } = guardedPipCommand({
      python: s.pipEnv.python, work: s.work, owner: s.owner, cwd: s.io.cwd, env: withoutRequestEnv(s.baseEnv),
      pipArgs: wheelStepArgs(s.inv.items, s.work.wheels, file, withHashes, noBinary), allow: vetted,
    });
    const res = await runCommand(cmd, 'capture');
    if (res.code !== 0) {
      s.io.stderr(res.stderr);
      s.io.stderr(res.code === GUARD_EXIT_BUILD_REFUSED ? 'safe-pip: a build that was not vetted was needed; nothing was installed\n' : 'safe-pip: fetching the vetted files failed; nothing was installed\n');
      return res.code === GUARD_EXIT_BUILD_REFUSED ? ExitCode.blocked : res.code;
    }
  }
  return 0;
}

/** A promise that never rejects (to run it alongside other work and await it later). */
export function settle(p: Promise<number>): Promise<{ code: number } | { error: unknown }> {
  return p.then((code) => ({ code }), (error: unknown) => ({ error }));
}

export function wheelsByName(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir)) {
    const w = parseWheelFilename(f);
    if (w) out.set(w.canonical, join(dir, f));
  }
  return out;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
