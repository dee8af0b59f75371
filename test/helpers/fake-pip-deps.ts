/**
 * Fake edges for the safe-pip flow: a scripted pip (what its guarded dry run resolves, which builds
 * the guard refuses, what the wheel step fetches), a scripted index, scripted prompt answers (an
 * unexpected prompt THROWS) and a recorded work folder. No Python starts: the flow's own logic —
 * stages, decisions, commands as data — is what the tests exercise.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPopularNameIndex } from '../../src/checks/popular-names.js';
import { SafeStore } from '../../src/config/store.js';
import type { Finding } from '../../src/core/types.js';
import type { PipFlowDeps } from '../../src/flow/pip-install.js';
import { parsePipArgs, type PipInvocation } from '../../src/pypi/parse-pip-args.js';
import type { PipEnvironment } from '../../src/pypi/pip-environment.js';
import { GUARD_HELD, type GuardCandidate, type GuardRefusal, type GuardSidecar } from '../../src/pypi/pip-guard.js';
import { parseWheelFilename } from '../../src/pypi/wheel-inspect.js';
import type { GuardedPipRun, PipWorkspace } from '../../src/pypi/pip-process.js';
import type { IndexAnswer } from '../../src/pypi/pypi-index.js';
import type { PackageAnswer } from '../../src/ui/prompts.js';
import { NOW } from './make-facts.js';
import { scriptedPrompts } from './scripted-prompts.js';

export const INDEX = 'http://127.0.0.1:1/simple';
export const EXTRA = 'http://127.0.0.1:2/simple';

/** One item of pip's install report (format "1"). */
export interface FakeItem {
  name: string;
  version: string;
  requested?: boolean;
  /** Default: a wheel on INDEX. */
  url?: string;
  isDirect?: boolean;
  editable?: boolean;
  dir?: boolean;
  yanked?: boolean;
  requires?: string[];
}

/** What the index says about a project: its releases' ages in days (oldest first), or a failure. */
export type FakeProject = { ageDays: number[]; repository?: boolean } | 'not-found' | 'error';

export interface FakePipSetup {
  /** The set the guarded dry run resolves to (once every build it needs is allowed). */
  resolves: FakeItem[];
  /** Builds the guard refuses while their key is not on the allow list. */
  builds?: GuardRefusal[];
  /** The digest the guard reads when an allowed build is met again (default: the refusal's own). */
  rebuildDigest?: string;
  projects?: Record<string, FakeProject>;
  /** Extra sidecar content (index URLs, candidates, source-only versions, cooldown...). */
  side?: GuardSidecar;
  /** Exit code of pip's dry run when it fails for its own reasons. */
  resolveFails?: number;
  /** Findings the wheel inspection reports, by canonical name. */
  wheelFindings?: Record<string, Finding[]>;
  interactive?: boolean;
  /** safe-pip as the user typed it (default safe-pip). */
  ownCommand?: string;
  answers?: PackageAnswer[];
  confirms?: boolean[];
  env?: Record<string, string | undefined>;
  root?: boolean;
  ownerUid?: number;
  pipVersion?: [number, number];
  /** Whether the venv owner may run the venv's Python (default yes). */
  pythonRunnable?: boolean;
  /** The folder on the way to the venv its owner cannot enter (a `mktemp -d` folder). */
  closedFolder?: { path: string; mode: number };
  /** The guard kept no copy of pip's downloads: a held install cannot go on by itself. */
  keptMissing?: boolean;
}

export function wheelUrl(name: string, version: string, index = INDEX): string {
  return `${index.replace(/\/simple$/, '')}/files/${name}-${version}-py3-none-any.whl`;
}

/** pip's report; an item the guard had to let build comes from its sdist. */
function reportJson(items: readonly FakeItem[], built: readonly string[] = []): string {
  return JSON.stringify({
    version: '1',
    install: items.map((i) => ({
      metadata: { name: i.name, version: i.version, requires_dist: i.requires ?? [] },
      download_info: i.dir || i.editable
        ? { url: i.url ?? `file:///src/${i.name}`, dir_info: i.editable ? { editable: true } : {} }
        : { url: i.url ?? (built.includes(i.name) ? wheelUrl(i.name, i.version).replace(/-py3-none-any\.whl$/, '.tar.gz') : wheelUrl(i.name, i.version)), archive_info: { hashes: { sha256: 'a'.repeat(64) } } },
      is_direct: i.isDirect ?? Boolean(i.dir || i.editable),
      requested: i.requested ?? true,
      is_yanked: i.yanked ?? false,
    })),
  });
}

function indexAnswer(name: string, project: FakeProject | undefined, url: string): IndexAnswer {
  if (project === undefined || project === 'not-found') return { kind: 'not-found', url };
  if (project === 'error') return { kind: 'error', message: 'ECONNREFUSED', url };
  const releases: Record<string, unknown[]> = {};
  project.ageDays.forEach((days, i) => {
    const at = new Date(NOW.getTime() - days * 86_400_000).toISOString();
    releases[`1.0.${i}`] = [{ packagetype: 'bdist_wheel', filename: `${name}-1.0.${i}-py3-none-any.whl`, upload_time_iso_8601: at }];
  });
  const latest = `1.0.${project.ageDays.length - 1}`;
  const info = { name, version: latest, summary: 'a project', project_urls: project.repository === false ? null : { Source: 'https://example.invalid/x' } };
  return { kind: 'json-api', url, body: { info, releases } };
}

/** Index candidates pip saw for each resolved item (one index: no confusion). */
function defaultCandidates(items: readonly FakeItem[]): Record<string, GuardCandidate[]> {
  const out: Record<string, GuardCandidate[]> = {};
  for (const i of items) {
    if (i.url || i.dir || i.editable) continue;
    out[i.name] = [{ version: i.version, url: wheelUrl(i.name, i.version), filename: `${i.name}-${i.version}-py3-none-any.whl`, hash: `sha256=${'a'.repeat(64)}`, comesFrom: `${INDEX}/${i.name}/`, isWheel: true }];
  }
  return out;
}

export async function fakePipDeps(setup: FakePipSetup) {
  const stderr: string[] = [];
  const stdout: string[] = [];
  const runs: GuardedPipRun[] = [];
  const files = new Map<string, string>();
  const reports: Array<[string, string]> = [];
  const passthroughs: string[][] = [];
  const scripted = scriptedPrompts(setup);
  /** Names the index was asked about (project documents), in order. */
  const projectLookups: string[] = [];
  const fetched = new Map<string, string>();
  let workspaces = 0;
  const released: Array<Record<string, string>> = [];
  const inspected: string[] = [];
  let releaseRequiresAsked = 0;
  let calledOff = 0;
  let cleaned = 0;
  const store = await SafeStore.open({ cwd: mkdtempSync(join(tmpdir(), 'safe-pip-flow-')) });
  const side: GuardSidecar = { indexUrls: [INDEX], findLinks: [], candidates: defaultCandidates(setup.resolves), ...setup.side };
  const pipEnv: PipEnvironment = {
    pipPath: '/venv/bin/pip', python: '/venv/bin/python', venvDir: '/venv',
    pipVersion: setup.pipVersion ?? [24, 0], sitePackages: '/venv/lib/python3.11/site-packages',
  };

  function fakePip(run: GuardedPipRun) {
    runs.push({ ...run, allow: [...run.allow] });
    const [command] = run.pipArgs;
    if (command === 'install' && (run.pipArgs.includes('--dry-run') || run.hold)) {
      // A build is let through when its key is allowed and, if a digest was pinned, the content is still that one.
      const refused = (setup.builds ?? [])
        .map((b) => {
          const key = b.name ?? b.url ?? '?';
          if (!run.allow.includes(key)) return b;
          const pinned = run.digests?.[key];
          return pinned !== undefined && pinned !== (setup.rebuildDigest ?? b.digest) ? { ...b, digest: setup.rebuildDigest ?? b.digest, changed: true } : undefined;
        })
        .filter((b): b is GuardRefusal => b !== undefined);
      if (refused.length) return { code: 86, stdout: '', stderr: 'refused', sidecar: { ...side, refused } };
      if (setup.resolveFails) return { code: setup.resolveFails, stdout: '', stderr: 'ERROR: pip says no\n', sidecar: side };
      // What pip would build (allowed builds) comes from source; a held install has it pending.
      const pendingBuilds = (setup.builds ?? []).filter((b) => run.allow.includes(b.name ?? b.url ?? '?')).map((b) => b.name ?? b.url ?? '?');
      if (!run.hold) return { code: 0, stdout: '', stderr: '', sidecar: side, report: reportJson(setup.resolves, pendingBuilds) };
      const held = {
        release: async (hashes: Record<string, string>) => {
          released.push(hashes);
          runs.push({ ...run, pipArgs: ['install', '(held, let go)'] });
          return { code: 0, stdout: '', stderr: '', sidecar: side };
        },
        callOff: () => void (calledOff += 1),
      };
      return { code: GUARD_HELD, stdout: '', stderr: '', sidecar: { ...side, pendingBuilds }, report: reportJson(setup.resolves, pendingBuilds), held };
    }
    if (command === 'wheel' && run.pipArgs.includes('--no-deps')) {
      for (const i of setup.resolves) if (!i.editable) fetched.set(i.name.toLowerCase().replace(/[-_.]+/g, '-'), `/work/wheels/${i.name}-${i.version}-py3-none-any.whl`);
    }
    return { code: 0, stdout: '', stderr: '', sidecar: side };
  }

  const workspace: PipWorkspace = {
    root: '/work', tmp: '/work/tmp', wheels: '/work/wheels', kept: '/work/kept',
    write: (path, text) => void files.set(path, text),
    // The guard kept a copy of every wheel pip downloaded (unless the test says one is missing).
    adoptKept: (filename) => {
      const w = parseWheelFilename(filename);
      if (!w || setup.keptMissing) return false;
      fetched.set(w.canonical, `/work/wheels/${filename}`);
      return true;
    },
    wheelFiles: () => new Map(fetched),
    readPage: () => undefined,
    sha256: () => 'b'.repeat(64),
    runPip: async (run) => fakePip(run),

    cleanup: () => void (cleaned += 1),
  };

  const deps: PipFlowDeps = {
    env: { PATH: '/usr/bin', ...setup.env }, cwd: '/project', interactive: setup.interactive ?? false, color: false,
    realPip: '/venv/bin/pip', ownCommand: setup.ownCommand ?? 'safe-pip', now: () => NOW,
    stdout: (t) => void stdout.push(t), stderr: (t) => void stderr.push(t),
    openStore: async () => store,
    prompts: scripted.prompts,
    popular: () => buildPopularNameIndex('pypi', ['requests', 'numpy', 'urllib3']),
    probeEnvironment: () => pipEnv,
    isRoot: () => setup.root ?? false,
    ownerOf: () => ({ uid: setup.ownerUid ?? 1000, gid: setup.ownerUid ?? 1000 }),
    lookupUser: (uid) => ({ name: `u${uid}`, uid, gid: uid, home: '/nonexistent' }),
    canExecute: () => setup.pythonRunnable ?? true,
    closedFolder: () => setup.closedFolder,
    mergedPipConfig: () => '[global]\n',
    pipCacheFor: (owner) => `/cache/pip-${owner.uid}`,
    passthrough: async (args) => {
      passthroughs.push(args);
      return 0;
    },
    openWorkspace: () => {
      workspaces += 1;
      return workspace;
    },
    indexLookups: () => ({
      project: async (index, name) => {
        projectLookups.push(name);
        return indexAnswer(name, setup.projects?.[name], `${index}/${name}/`);
      },
      releaseRequires: async () => {
        releaseRequiresAsked += 1;
        return [];
      },
      known: () => {},
    }),
    inspectWheels: (wheels) => {
      inspected.push(...wheels.map((w) => w.file));
      return new Map(Object.entries(setup.wheelFindings ?? {}));
    },
    writeReport: (to, text) => void reports.push([to, text]),
  };

  const byKind = (pred: (r: GuardedPipRun) => boolean) => runs.filter(pred).map((r) => r.pipArgs);
  return {
    projectLookups, deps, store, runs, files, reports, passthroughs, asked: scripted.asked, questions: scripted.questions, confirmed: scripted.confirmed,
    text: () => stderr.join(''),
    out: () => stdout.join(''),
    /** pip's resolves: dry runs, and installs held after their resolve. */
    resolves: () => byKind((r) => r.pipArgs.includes('--report')),
    fetches: () => byKind((r) => r.pipArgs[0] === 'wheel' && r.pipArgs.includes('--no-deps')),
    /** What installed: held installs let go, and pinned installs from the private folder. */
    installs: () => byKind((r) => r.pipArgs[0] === 'install' && !r.pipArgs.includes('--report')),
    workspaces: () => workspaces,
    /** Held installs let go (with the sha256 of each wheel read), and how many were called off. */
    released,
    calledOff: () => calledOff,
    /** The wheel files read before an install (or a dry run's prediction). */
    inspected,
    /** Per-version JSON look-ups (a previous release's dependencies). */
    releaseRequiresAsked: () => releaseRequiresAsked,
    cleaned: () => cleaned,
  };
}

/** Parse a command line as safe-pip's entry does (before the environment is known). */
export function pipArgv(argv: string[], env: Record<string, string | undefined> = {}): { first: PipInvocation; argv: string[] } {
  return { first: parsePipArgs(argv, { env }), argv };
}
