/**
 * npm's own engine, run as the build user: a child process that loads the arborist of the real npm,
 * builds the ideal tree (nothing written), sends it to the parent to vet, and — only when told to —
 * reifies exactly that tree with scripts off. One resolution, one install, no second npm start.
 *
 * Built as one file (scripts/bundle.js: what it imports of ours is bundled in), which is copied
 * alone into a folder the build user can read: from node_modules it loads only what the real npm
 * ships next to the arborist path it is given (arborist, pacote, semver, cacache…).
 *
 * Protocol (IPC, advanced serialization):
 *   (argv: --safe-npm-arborist-worker <path of the real npm's arborist> [<folder of its kept code>])
 *   parent → { type: 'resolve', options, add, update, before?, exclude, recentSince? }
 *          | { type: 'ci', options, validateLockfile?, recentSince? }
 *   worker → { type: 'resolved', nodes, tooYoung, packuments, codeCache } | { type: 'error', code, message }
 *            (ci: packuments are asked for with `docs`; the lockfile's tree is being installed into
 *            the staging copy meanwhile)
 *   parent → { type: 'docs', id, entries } (any time)   worker → { type: 'docs', id, docs }
 *   parent → { type: 'reify' } | { type: 'abort' }
 *   worker → { type: 'reified', added, removed, changed, deprecations } | { type: 'error', code, message }
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMainThread, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { collectNodes, newOrChanged, registryHostsOf, type ArboristNode, type ResolvedNode } from './tree-nodes.js';
import { installedEntries } from './resolve-tree.js';
import { holdsEveryVersion, needsFullDocument, publishedAt, reduceForVetting, trimManifest, withoutYoungVersions, type Doc, type ReducedDoc, type SemverLike } from './reduce-packument.js';
import { originOf, watchUnreachable } from './fetch-failures.js';
import { lockedDocuments, mapLimit, wantedVersions } from './locked-documents.js';
import { leanHeap, undoLeanHeap } from '../run/lean-heap.js';
import { useCodeCache, type CodeCache } from './code-cache.js';
import { withExtraCa, type ExtraCa } from './extra-ca.js';
import { finishPastRollback, stopBeforeContentWrites, unvettedWriteMessage, unvettedWrites, vettedSet, type VettedSet } from './arborist-steps.js';

/** What was sent to be vetted, when only new or changed packages were: all that npm may write. */
let mayWrite: VettedSet | undefined;
/** npm's modules compiled with the code kept from an earlier run (code-cache.ts), when a folder was given. */
let codeCache: CodeCache | undefined;

// V8's young generation is kept at its initial size (lean-heap.ts) from the moment this process heads
// for its peak: npm ci and a removal at once; an install when it starts writing the tree. Resolving
// a fresh tree keeps V8's default: held small there, its scavenges cost about 1.8 s of CPU on a
// 162-package tree (3.3 s of garbage collection against plain npm's 1.3 s for the whole install).
// (V8 flags are per process: the documents thread, which runs this file too, needs no call of its own.)

/** npm ci in the staging copy: the lockfile's tree, installed while the parent vets it. */
export interface CiMessage {
  type: 'ci';
  options: Record<string, unknown>;
  /** NODE_EXTRA_CA_CERTS of the invoking process, read by it (extra-ca.ts). */
  extraCa?: ExtraCa;
  /** `~` of `file:~/…` specs: the staged mirror of the invoking user's home (Stage.home). */
  home?: string;
  /** npm's own lockfile check (lib/utils/validate-lockfile.js of the real npm), when found. */
  validateLockfile?: string;
  /** Install the tree into the staging copy (false: only load and check it; the real npm ci installs). */
  install: boolean;
  recentSince?: Date;
}

/** Documents for vetting these entries (reduced; full ones where the checks need them). */
export interface DocsMessage {
  type: 'docs';
  id: number;
  entries: Array<{ name: string; version: string; location: string }>;
}

export interface ResolveMessage {
  type: 'resolve';
  options: Record<string, unknown>;
  /** NODE_EXTRA_CA_CERTS of the invoking process, read by it (extra-ca.ts). */
  extraCa?: ExtraCa;
  /** `~` of `file:~/…` specs: the staged mirror of the invoking user's home (Stage.home). */
  home?: string;
  add: string[];
  update?: string[] | true;
  before?: Date;
  exclude: string[];
  /** Releases published after this need their full document (recent-release checks read it). */
  recentSince?: Date;
  /** The project is a staging copy: install the tree at once, while the parent vets it. */
  installNow?: boolean;
  /** Only entries new or changed against what the project has installed are vetted: read only their documents. */
  onlyNew?: boolean;
  /**
   * npm uninstall: the names removed. npm's engine reifies the whole ideal tree then, so whatever
   * package.json or the lockfile has and node_modules lacks is installed too: it is resolved and
   * vetted like any install.
   */
  rm?: string[];
  /**
   * npm prune / npm dedupe / npm audit fix: arborist's own method of that name computes the tree
   * (prune: without what is extraneous or omitted; dedupe: duplicates re-resolved; audit with `fix`:
   * the registry's advisories fixed), which is vetted like any install.
   */
  method?: ArboristMethod;
}

export type ArboristMethod = 'prune' | 'dedupe' | 'audit';

/**
 * The ideal tree as one of arborist's own commands computes it before it reifies (prune, dedupe, audit
 * with `fix`: they end by calling `this.reify(options)`): that call is caught, the tree it would write built, nothing
 * written. Returns the options the command reified with, for the real reify once the tree is vetted.
 */
async function idealTreeBy(arb: Arb, method: ArboristMethod, options: Record<string, unknown>): Promise<object> {
  let reifyOptions: object | undefined;
  const own = arb as Arb & Record<typeof method, (o: object) => Promise<unknown>>;
  own.reify = async (o: object) => {
    reifyOptions = o;
    await arb.buildIdealTree(o);
    return arb;
  };
  try {
    await own[method](options);
  } finally {
    delete (own as Partial<Arb>).reify;
  }
  if (!reifyOptions) throw new Error(`npm's ${method} computed no tree`);
  return reifyOptions;
}

type DiffSide = { name?: string; path?: string; package?: { version?: string }; isInStore?: boolean; isLink?: boolean };
type DiffNode = { action?: string; ideal?: DiffSide | null; actual?: DiffSide | null; children: DiffNode[] };
type Arb = {
  buildIdealTree(o: object): Promise<ArboristNode>;
  reify(o: object): Promise<unknown>;
  idealTree: ArboristNode | null;
  actualTree?: { inventory: { has(n: unknown): boolean } } | null;
  diff?: DiffNode | null;
};

/** One package of npm's --json summary. */
export type SummaryEntry = { name?: string; version?: string; path?: string };

/**
 * "added 91 packages, removed 1 package, changed 2 packages": counted as npm's reify-output counts
 * them, over the whole diff (nested installs too), an addition only when it is in the actual tree;
 * with them the lines npm prints for `--dry-run`/`--long` ("add x 1.0.0", "remove…", "change… => …")
 * and the lists of `--json`, and the count of packages looking for funding (npm says it after the
 * summary unless --no-fund: the parent decides).
 */
/**
 * npm audit fix's last words, by npm's own reporter as its audit command calls it (lib/utils/
 * reify-output.js): how many packages were audited, the report of what is left, and its exit code
 * (1 when vulnerabilities at the audit level remain). Nothing when the registry gave no report.
 */
function auditOutcome(arb: Arb, req: NodeJS.Require, options: Record<string, unknown>): { audited?: number; auditReport?: string; auditJson?: unknown; auditExitCode?: number; auditError?: Record<string, unknown> } {
  type EndpointError = { message?: unknown; body?: unknown; method?: unknown; uri?: unknown; headers?: unknown; statusCode?: unknown };
  const report = (arb as { auditReport?: { error?: EndpointError; toJSON?(): unknown } | null }).auditReport;
  if (!report) return {};
  // The registry's audit endpoint failed (lib/utils/audit-error.js): npm says so and exits 1; with
  // --json it prints these fields of the error (the URI redacted as npm redacts it).
  if (report.error) {
    const { message, body, method, uri, headers, statusCode } = report.error;
    let redacted = uri;
    try {
      redacted = (req('@npmcli/redact') as { redactLog(text: unknown): unknown }).redactLog(uri);
    } catch {
      // npm's redactor is not there: the URI as it is (ours never carries credentials)
    }
    // The body as npm has it: text, or the JSON the endpoint answered (parsed).
    return { audited: 0, auditError: { message: String(message ?? ''), body: body === undefined ? '' : Buffer.isBuffer(body) ? body.toString() : body, method, uri: redacted, headers, statusCode } };
  }
  const audited = (arb.actualTree as { inventory?: { size?: number } } | null | undefined)?.inventory?.size ?? 0;
  try {
    const npmAuditReport = req('npm-audit-report') as (data: unknown, o: object) => { report: string; exitCode: number };
    // Plain text: npm's chalk without colour (every style is the text itself).
    const plain: unknown = new Proxy(() => {}, { get: () => plain, apply: (_t, _this, args: unknown[]) => args.join(' ') });
    const { report: text, exitCode } = npmAuditReport(report, { reporter: 'detail', ...options, auditLevel: options.auditLevel || 'low', chalk: plain });
    // --json: npm audit fix prints the whole report (lib/utils/reify-output.js, npm.command 'audit').
    return { audited, auditReport: text, auditJson: report.toJSON?.(), auditExitCode: exitCode };
  } catch {
    return { audited };
  }
}

function reifyCounts(arb: Arb, req: NodeJS.Require): {
  added: number; removed: number; changed: number; diffLines: string[];
  add: SummaryEntry[]; change: Array<{ from: SummaryEntry; to: SummaryEntry }>; remove: SummaryEntry[]; funding: number;
} {
  const counts = { added: 0, removed: 0, changed: 0, diffLines: [] as string[], add: [] as SummaryEntry[], change: [] as Array<{ from: SummaryEntry; to: SummaryEntry }>, remove: [] as SummaryEntry[], funding: 0 };
  const entry = (side: DiffSide | null | undefined): SummaryEntry => ({ name: side?.name, version: side?.package?.version, path: side?.path });
  try {
    counts.funding = (req('libnpmfund') as { readTree(tree: unknown, o: { countOnly: boolean }): unknown[] }).readTree(arb.actualTree, { countOnly: true }).length;
  } catch {
    // no funding count: npm's own module is not there
  }
  if (!arb.diff) return counts;
  const visit = (d: DiffNode) => {
    if (d.action === 'REMOVE') {
      counts.removed++;
      counts.remove.push(entry(d.actual));
      counts.diffLines.push(`remove ${d.actual?.name} ${d.actual?.package?.version}`);
    } else if (d.action === 'CHANGE') {
      counts.changed++;
      counts.change.push({ from: entry(d.actual), to: entry(d.ideal) });
      counts.diffLines.push(`change ${d.actual?.name} ${d.actual?.package?.version} => ${d.ideal?.package?.version}`);
    } else if (d.action === 'ADD') {
      counts.diffLines.push(`add ${d.ideal?.name} ${d.ideal?.package?.version}`);
      if (arb.actualTree?.inventory.has(d.ideal) || (d.ideal?.isInStore && !d.ideal.isLink)) {
        counts.added++;
        counts.add.push(entry(d.ideal));
      }
    }
  };
  try {
    // npm's own walk (treeverse), as reify-output uses it.
    (req('treeverse') as { depth(o: { tree: DiffNode; visit(d: DiffNode): void; getChildren(d: DiffNode): DiffNode[] }): void })
      .depth({ tree: arb.diff, visit, getChildren: (d) => d.children });
  } catch {
    const walk = (d: DiffNode) => {
      visit(d);
      for (const c of d.children ?? []) walk(c);
    };
    walk(arb.diff);
  }
  return counts;
}

/** npm's `--omit` list (flat options carry it as an array), for what reify leaves out. */
function omitOf(options: Record<string, unknown>): string[] {
  return Array.isArray(options.omit) ? options.omit.map(String) : [];
}

async function main(): Promise<void> {
  // A parent that has gone away makes send fail: nothing to tell then.
  const send = (message: object) => new Promise<void>((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, () => resolve());
  });
  // Messages are queued from the start: the parent may send while arborist is still loading. Requests
  // for documents (`docs`) are answered as they come, beside whatever else is going on.
  const queue: Array<{ type: string } & Record<string, unknown>> = [];
  const waiting: Array<(m: { type: string } & Record<string, unknown>) => void> = [];
  let answerDocs: ((m: DocsMessage) => Promise<void>) | undefined;
  process.on('message', (m) => {
    const message = m as { type: string } & Record<string, unknown>;
    if (message.type === 'docs' && answerDocs) {
      void answerDocs(message as unknown as DocsMessage).catch((error: unknown) => fail(error));
      return;
    }
    const w = waiting.shift();
    if (w) w(message);
    else queue.push(message);
  });
  const next = () => new Promise<{ type: string } & Record<string, unknown>>((resolve) => {
    const m = queue.shift();
    if (m) resolve(m);
    else waiting.push(resolve);
  });
  let reifying = false;
  const fail = async (error: unknown) => {
    const e = error as { code?: string; message?: string };
    // One line, but for a lockfile out of sync: npm's own list of what differs.
    const text = String(e.message ?? error);
    await send({ type: 'error', code: e.code, message: e.code === 'ELOCKSYNC' ? text.slice(0, 4000) : text.split('\n')[0] });
    process.exit(1);
  };
  // The parent is gone (killed): stop, unless the tree is being written in place — then finish it, so
  // that the project is wholly new rather than half written (nobody is left to roll it back).
  process.on('disconnect', () => {
    if (!reifying) process.exit(130);
  });
  // A registry that cannot be reached is an answer now, not after npm's retry back-off (while the
  // tree is being written, npm's own error handling rolls it back instead).
  watchUnreachable(process, (u) => !reifying && void fail(Object.assign(new Error(`the registry ${originOf(u.url)} cannot be reached (${u.code})`), { code: 'EUNREACHABLE' })));
  try {
    // Loaded before the request arrives: this is what starting early buys.
    const arboristPath = process.argv[3]!;
    // npm's "npm warn deprecated x@1.0.0: …" lines, logged by arborist as it writes each package: the
    // parent prints them as npm would.
    const deprecations: string[] = [];
    process.on('log', (level: unknown, title: unknown, message: unknown) => {
      if (level === 'warn' && title === 'deprecated' && typeof message === 'string') deprecations.push(message);
    });
    const codeFolder = process.argv[4];
    if (codeFolder) {
      codeCache = useCodeCache(codeFolder, npmFolderOf(arboristPath));
      // Last, at any exit: V8's flags as they were when npm's modules loaded, then their code kept.
      process.on('exit', () => {
        undoLeanHeap();
        codeCache?.save();
      });
    }
    const Arborist = createRequire(arboristPath)(arboristPath) as new (o: object) => Arb;
    finishPastRollback(Arborist);
    // The safety net under the vetting: npm's own diff, computed as it writes, may only write packages
    // that were sent to be vetted. (What counts as installed is read from disk; a tree on disk that
    // differs from npm's record of it — a folder planted with a matching version, bins gone — can make
    // npm rewrite a package that was taken as installed.) Anything else stops the write, nothing done.
    stopBeforeContentWrites(Arborist, (writes) => (mayWrite ? unvettedWrites(writes, mayWrite) : []), async (writes) => {
      throw Object.assign(new Error(unvettedWriteMessage(writes)), { code: 'EUNVETTED' });
    });
    const request = (await next()) as unknown as ResolveMessage | CiMessage;
    if (request.type !== 'resolve' && request.type !== 'ci') process.exit(0);
    request.options = withExtraCa(request.options, request.extraCa, process.env);
    // Relative file: specs resolve from the project (or its staging copy), as in npm.
    process.chdir(String(request.options.path));
    // ...and `file:~/x` from the invoking user's home, staged (npm reads `~` as HOME).
    if (request.home) process.env.HOME = request.home;
    if (request.type !== 'resolve') leanHeap();
    let counting: Promise<Arb>;
    let docsThread: ReturnType<typeof vettingDocsOnThread> | undefined;
    if (request.type === 'ci') {
      // The documents are gathered on a thread of their own: the reify keeps this one busy extracting,
      // and the fetching and parsing then run beside it on the other core instead of in turns.
      const thread = (docsThread = vettingDocsOnThread(arboristPath, request));
      answerDocs = async (m) => send({ type: 'docs', id: m.id, ...(await thread.docsFor(m.entries)) });
      // npm ci: the lockfile's tree, checked against package.json as npm does; it is installed into
      // the staging copy at once, while the parent vets it (the project is touched only if it passes).
      const arb = await lockfileTree(Arborist, request);
      await send({ type: 'resolved', nodes: collectNodes(arb.idealTree!, omitOf(request.options), registryHostsOf(request.options)), tooYoung: [], packuments: {}, codeCache: codeCache?.counts() });
      if (!request.install) {
        await next();
        process.exit(0);
      }
      counting = arb.reify({ ...request.options, packageLock: true, save: false }).then(() => arb);
      counting.catch(() => {}); // reported when the parent asks for it
    } else {
      const vetting = vettingDocs(arboristPath, request);
      answerDocs = async (m) => send({ type: 'docs', id: m.id, docs: await vetting.docsFor(m.entries), fullDocuments: vetting.fullCount() });
      const { reify, early } = await resolveAndSend(Arborist, arboristPath, request, vetting, send);
      // The documents have been handed over: installing needs none of them.
      vetting.release();
      if (early) {
        counting = early;
      } else {
        const order = await next();
        if (order.type !== 'reify') process.exit(0);
        reifying = true;
        counting = reify();
      }
    }
    if (request.type === 'ci' || request.installNow) {
      const order = await next();
      if (order.type !== 'reify') process.exit(0);
    }
    // Vetting is over: the documents thread (a heap of its own) goes before npm's engine peaks.
    void docsThread?.stop();
    const arb = await counting;
    await send({ type: 'reified', ...reifyCounts(arb, createRequire(arboristPath)), deprecations, ...(request.type === 'resolve' && request.method === 'audit' ? auditOutcome(arb, createRequire(arboristPath), request.options) : {}) });
    process.exit(0);
  } catch (error) {
    await fail(error);
  }
}

/**
 * npm install: resolve, start the early install (staging copy), and send the tree with the documents
 * to vet it. A function of its own so that the documents sent, the tree's node list and the
 * cooldown's originals are garbage once sent: held in main()'s frame they would live through the
 * install, where this process peaks.
 */
async function resolveAndSend(
  Arborist: new (o: object) => Arb,
  arboristPath: string,
  request: ResolveMessage,
  vetting: ReturnType<typeof vettingDocs>,
  send: (message: object) => Promise<void>,
): Promise<{ reify(): Promise<Arb>; early?: Promise<Arb> }> {
  // What is installed, read here (before an early install rewrites npm's hidden lockfile): as a
  // message it is large enough to wait for the parent's busy event loop.
  const installed = request.onlyNew ? installedEntries(process.cwd()) : undefined;
  const { arb, nodes, tooYoung, originals, reifyOptions } = await resolveTree(Arborist, arboristPath, request, vetting);
  // As npm's install/update commands do: the options go to reify too (save, saveType, dryRun…).
  const reify = () => {
    leanHeap();
    return arb.reify(reifyOptions).then(() => arb);
  };
  // Into a staging copy: installed at once, while the documents are gathered and the parent vets;
  // the project changes only if the tree passes.
  // An up-to-date project (`npm install` again) has nothing new: no document to read for it.
  const vetted = installed ? newOrChanged(nodes, installed) : nodes;
  if (installed) mayWrite = vettedSet(vetted);
  let early: Promise<Arb> | undefined;
  if (request.installNow) {
    early = reify();
    early.catch(() => {}); // reported when the parent asks for it
  }
  const docs = await vetting.docsFor(vetted.filter((n) => n.registry), originals);
  await send({ type: 'resolved', nodes, tooYoung, packuments: docs, fullDocuments: vetting.fullCount(), codeCache: codeCache?.counts() });
  return early ? { reify, early } : { reify };
}

type Registry = { packument(name: string, opts: object): Promise<Doc> };
type PackumentStore = { has(k: string): boolean; get(k: string): unknown; set(k: string, v: unknown): unknown; delete(k: string): unknown; keys(): Iterable<string> };

/**
 * npm's packument cache (an LRU that drops big documents) with two things in front of it: documents
 * we pin (the release cooldown's filtered copies must be what the resolver sees, whatever their size),
 * and, for a document the LRU refuses (over its size limit), a copy cut down to the fields the checks
 * read, so that vetting needs no second fetch (npm's HTTP cache may not keep abbreviated documents).
 */
function pinnedCache(lru: PackumentStore, cutDown: (doc: Doc) => Doc): PackumentStore & { pin(k: string, v: unknown): void; unpin(k: string): void; kept(k: string): Doc | undefined; forgetRefused(): void } {
  const pinned = new Map<string, unknown>();
  const refused = new Map<string, Doc>();
  return {
    has: (k) => pinned.has(k) || lru.has(k),
    get: (k) => (pinned.has(k) ? pinned.get(k) : lru.get(k)),
    set: (k, v) => {
      if (pinned.has(k)) return undefined;
      const r = lru.set(k, v);
      if (!lru.has(k) && v && typeof v === 'object') refused.set(k, cutDown(v as Doc));
      return r;
    },
    delete: (k) => (pinned.has(k) ? undefined : lru.delete(k)),
    keys: () => new Set([...pinned.keys(), ...lru.keys(), ...refused.keys()]),
    pin: (k, v) => void pinned.set(k, v),
    unpin: (k) => void pinned.delete(k),
    kept: (k) => (pinned.has(k) ? (pinned.get(k) as Doc) : ((lru.get(k) as Doc | undefined) ?? refused.get(k))),
    forgetRefused: () => refused.clear(),
  };
}

/**
 * The documents vetting reads, shared by the resolution and the `docs` requests: npm's packument
 * cache (what the resolver fetched), npm's HTTP cache, full documents where the checks need them.
 */
function vettingDocs(arboristPath: string, request: ResolveMessage) {
  const req = createRequire(arboristPath);
  const semver = req('semver') as SemverLike;
  const pacote = req('pacote') as Registry;
  const arboristLib = arboristPath.replace(/index\.js$/, '');
  const PackumentCache = req(`${arboristLib}packument-cache.js`) as new () => PackumentStore;
  const cache = pinnedCache(new PackumentCache(), cutDown);
  const options = { ...request.options, packumentCache: cache };
  const locked = lockedVersions(String(request.options.path));
  const recentSince = new Date(request.recentSince ?? 0);
  const fullDocs = new Map<string, Promise<Doc | undefined>>();
  // pacote's cache keys are `<corgi|full>:<registry without trailing slash>/<escaped name>`.
  let knownRegistries: string[] | undefined;
  const registries = () => {
    if (!knownRegistries?.length) knownRegistries = [...new Set([...cache.keys()].map((k) => k.slice(k.indexOf(':') + 1).replace(/\/(@[^/]+%2f)?[^/]+$/, '')))];
    return knownRegistries;
  };
  /**
   * The full document of `name`: npm's cached copy when it holds every version of the document the
   * resolver used (publish times and scripts of a version never change), else the registry's.
   */
  let fullFetched = 0;
  const fetchFull = (name: string, current: Doc | undefined) => {
    fullFetched += 1;
    const full = (offline: boolean) => pacote.packument(name, { ...request.options, fullMetadata: true, ...(offline ? { preferOffline: true } : { preferOnline: true }) }).catch(() => undefined);
    // Kept cut down to the fields the checks read: a full document is mostly readmes.
    return full(true).then((cached) => (cached && holdsEveryVersion(cached, current) ? cached : full(false))).then((doc) => doc && cutDown(doc));
  };
  const fullDoc = (name: string, current: Doc | undefined) => {
    let p = fullDocs.get(name);
    if (!p) {
      p = fetchFull(name, current);
      fullDocs.set(name, p);
    }
    return p;
  };
  /** The document the resolver used for `name` (from memory, else npm's HTTP cache, else the registry). */
  const docOf = async (name: string): Promise<{ key?: string; doc?: Doc }> => {
    const suffix = `/${name.startsWith('@') ? name.replace('/', '%2f') : name}`;
    for (const prefix of ['corgi:', 'full:']) {
      for (const registry of registries()) {
        const key = `${prefix}${registry}${suffix}`;
        const doc = cache.kept(key);
        if (doc) return { key, doc };
      }
    }
    const doc = await pacote.packument(name, { ...options, preferOffline: true }).catch(() => undefined);
    return { doc };
  };
  /** Registry documents for vetting these entries, reduced to the versions the checks read. */
  const docsFor = async (entries: ReadonlyArray<{ name: string; version: string; location: string }>, originals?: Map<string, Doc>) => {
    // One document per name, reduced at once for every version of it wanted here (and locked there).
    const docs: Record<string, ReducedDoc> = {};
    await mapLimit([...wantedVersions(entries, locked)], 16, async ([name, { checked, kept }]) => {
      const original = originals?.get(name) ?? (await docOf(name)).doc;
      if (!original) return;
      const full = [...checked].some((v) => needsFullDocument(original, v, recentSince));
      const doc = full ? ((await fullDoc(name, original)) ?? original) : original;
      docs[name] = reduceForVetting(doc, [...kept], semver);
    });
    return docs;
  };
  /** How many full documents were fetched (for SAFE_NPM_TIMING's profile). */
  const fullCount = () => fullFetched;
  const release = () => {
    cache.forgetRefused();
    fullDocs.clear();
  };
  return { req, semver, cache, options, locked, fullDoc, docOf, docsFor, fullCount, release };
}

/**
 * Resolve as npm does (abbreviated documents, no `before`), then apply the release cooldown: a
 * package whose chosen version is younger than the cooldown gets a document without its young
 * versions, and the tree is resolved again (from the documents in memory). A package with no old
 * enough version that fits keeps its newest (reported as too young). Then the documents the checks
 * need, reduced to the versions they look at.
 */
async function resolveTree(Arborist: new (o: object) => Arb, arboristPath: string, request: ResolveMessage, vetting: ReturnType<typeof vettingDocs>) {
  const { cache, options, locked, semver, fullDoc, docOf } = vetting;
  const arboristLib = arboristPath.replace(/index\.js$/, '');
  const excluded = (() => {
    try {
      return (vetting.req(`${arboristLib}release-age-exclude.js`) as { isReleaseAgeExcluded(n: string, p: string[]): boolean }).isReleaseAgeExcluded;
    } catch {
      return (name: string, patterns: string[]) => patterns.includes(name);
    }
  })();
  const tooYoung: Array<{ name: string; wanted: string }> = [];
  const filtered = new Map<string, { key: string; original: Doc }>();
  const keptYoung = new Set<string>();
  let arb!: Arb;
  let nodes: ResolvedNode[] = [];
  // As npm's install/update/uninstall commands do: the options go to reify too (save, saveType, dryRun…).
  let reifyOptions: object = { ...request.options, add: request.add, update: request.update, rm: request.rm };
  for (let round = 0; round < 20; round++) {
    arb = new Arborist(options);
    try {
      if (request.method) reifyOptions = await idealTreeBy(arb, request.method, request.options);
      else await arb.buildIdealTree({ add: request.add, update: request.update, rm: request.rm });
    } catch (error) {
      // Nothing old enough fits a range: the newest match is kept (npm's own `before` would fail).
      const e = error as { code?: string; name?: string; wanted?: string };
      // ETARGET: nothing old enough fits; ENOVERSIONS: every version is younger (a brand-new package).
      const f = (e.code === 'ETARGET' || e.code === 'ENOVERSIONS') && e.name ? filtered.get(e.name) : undefined;
      if (!f) throw error;
      cache.unpin(f.key);
      filtered.delete(e.name!);
      keptYoung.add(e.name!);
      tooYoung.push({ name: e.name!, wanted: e.wanted ?? '' });
      continue;
    }
    nodes = collectNodes(arb.idealTree!, omitOf(request.options), registryHostsOf(request.options));
    if (!request.before) break;
    const before = new Date(request.before);
    let changed = false;
    const candidates = nodes.filter((n) => n.registry && !keptYoung.has(n.name) && !filtered.has(n.name)
      && !locked.get(n.location)?.includes(n.version) && !excluded(n.name, request.exclude));
    await mapLimit(candidates, 8, async (node) => {
      const { key, doc } = await docOf(node.name);
      if (!doc || !key) return;
      const when = publishedAt(doc, node.version);
      // Older than the cooldown — or nothing of it published since (`modified` is an upper bound).
      if (when && when.at <= before) return;
      const source = !when || when.upperBound ? ((await fullDoc(node.name, doc)) ?? doc) : doc;
      const chosen = publishedAt(source, node.version);
      const without = withoutYoungVersions(source, before, semver);
      if (!without || !chosen || chosen.upperBound || chosen.at <= before) return;
      cache.pin(key, without);
      filtered.set(node.name, { key, original: source });
      changed = true;
    });
    if (!changed) break;
  }
  const originals = new Map([...filtered].map(([name, f]) => [name, f.original]));
  return { arb, nodes, tooYoung, originals, reifyOptions };
}

/** npm ci's tree: the lockfile, checked against package.json exactly as npm ci checks it. */
async function lockfileTree(Arborist: new (o: object) => Arb, request: CiMessage): Promise<Arb> {
  const options = { ...request.options, packageLock: true, save: false };
  const virtual = new Arborist(options) as Arb & { loadVirtual(): Promise<unknown>; virtualTree: { inventory: Map<string, unknown> } };
  try {
    await virtual.loadVirtual();
  } catch {
    throw Object.assign(new Error('`npm ci` can only install with an existing package-lock.json or npm-shrinkwrap.json with lockfileVersion >= 1: run an install to generate one, then try again'), { code: 'ENOLOCK' });
  }
  const inventory = new Map(virtual.virtualTree.inventory);
  const arb = new Arborist(options) as Arb & { idealTree: ArboristNode & { inventory: Map<string, unknown> } };
  await arb.buildIdealTree({});
  const validate = request.validateLockfile
    ? (createRequire(request.validateLockfile)(request.validateLockfile) as (v: Map<string, unknown>, i: Map<string, unknown>) => string[])
    : undefined;
  const errors = validate ? validate(inventory, arb.idealTree.inventory) : [];
  if (errors.length) {
    throw Object.assign(new Error(`\`npm ci\` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with \`npm install\` before continuing.\n\n${errors.join('\n')}`), { code: 'ELOCKSYNC' });
  }
  return arb;
}

/** The folder of the npm that holds this arborist (`…/npm/` of `…/npm/node_modules/@npmcli/arborist/lib/index.js`). */
function npmFolderOf(arboristPath: string): string {
  const at = arboristPath.lastIndexOf('/node_modules/@npmcli/arborist/');
  return at === -1 ? `${dirname(arboristPath)}/` : arboristPath.slice(0, at + 1);
}

/** A document cut down to what the checks and the cooldown read (all versions, few fields). */
function cutDown(doc: Doc): Doc {
  const versions: Record<string, Record<string, unknown>> = {};
  for (const [v, manifest] of Object.entries(doc.versions ?? {})) versions[v] = trimManifest(manifest);
  const out: Doc = { name: doc.name, versions };
  for (const key of ['dist-tags', 'time', 'modified', 'maintainers', 'repository', 'description']) if (doc[key] !== undefined) (out as Record<string, unknown>)[key] = doc[key];
  return out;
}

/** location → versions the project's lockfile (and installed tree) has there: kept for "what changed". */
function lockedVersions(projectDir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of ['npm-shrinkwrap.json', 'package-lock.json', 'node_modules/.package-lock.json']) {
    try {
      const lock = JSON.parse(readFileSync(`${projectDir}/${file}`, 'utf8')) as { packages?: Record<string, { version?: string }> };
      for (const [location, entry] of Object.entries(lock.packages ?? {})) {
        if (location && typeof entry.version === 'string') out.set(location, [...new Set([...(out.get(location) ?? []), entry.version])]);
      }
    } catch {
      // no such lockfile
    }
  }
  return out;
}

type DocsAnswer = { docs: Record<string, ReducedDoc>; fullDocuments: number };

/** vettingDocs on a worker thread (this same file): `docsFor` answers as the thread does. */
function vettingDocsOnThread(arboristPath: string, request: CiMessage) {
  // A small young generation: the thread parses big documents and keeps little of them (peak memory).
  const thread = new Worker(new URL(import.meta.url), { workerData: { kind: 'vetting-docs', arboristPath, request }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  thread.unref();
  let lastId = 0;
  const pending = new Map<number, { resolve(a: DocsAnswer): void; reject(e: Error): void }>();
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  thread.on('message', (m: DocsAnswer & { id: number; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve({ docs: m.docs, fullDocuments: m.fullDocuments });
  });
  thread.on('error', failAll);
  thread.on('exit', () => failAll(new Error('the documents thread stopped')));
  return {
    stop: () => thread.terminate(),
    docsFor: (entries: DocsMessage['entries']) => new Promise<DocsAnswer>((resolve, reject) => {
      const id = ++lastId;
      pending.set(id, { resolve, reject });
      thread.postMessage({ id, entries });
    }),
  };
}

/** The thread's side: npm ci's documents (kept reductions, else read and reduced), per request as they come. */
function serveVettingDocs(port: MessagePort, data: { arboristPath: string; request: CiMessage }): void {
  const req = createRequire(data.arboristPath);
  const locked = lockedVersions(String(data.request.options.path));
  const documents = lockedDocuments(req, data.request.options, new Date(data.request.recentSince ?? 0), req('semver') as SemverLike);
  const docsFor = async (entries: DocsMessage['entries']) => {
    const docs: Record<string, ReducedDoc> = {};
    await mapLimit([...wantedVersions(entries, locked)], 6, async ([name, { checked, kept }]) => {
      const reduced = await documents.reduction(name, checked, kept);
      if (reduced) docs[name] = reduced;
    });
    return docs;
  };
  port.on('message', (m: { id: number; entries: DocsMessage['entries'] }) => {
    docsFor(m.entries).then(
      (docs) => port.postMessage({ id: m.id, docs, fullDocuments: documents.fullCount() }),
      (error: unknown) => port.postMessage({ id: m.id, error: String((error as Error)?.message ?? error) }),
    );
  });
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === 'vetting-docs') serveVettingDocs(parentPort!, workerData as { arboristPath: string; request: CiMessage });
else if (process.send && process.argv[2] === '--safe-npm-arborist-worker') void main();
