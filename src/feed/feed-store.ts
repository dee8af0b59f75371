/**
 * The known-malicious feed on disk: one JSON file per ecosystem in the user's cache
 * (`$XDG_CACHE_HOME/safe-npm/`, else `~/.cache/safe-npm/`), written by `safe update-db` and read,
 * once per process, by the known-malicious check. A download that fails, is cut short or is not a
 * valid export never replaces the copy we have (written to a temporary file, renamed into place).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { writeNewFile } from '../run/fs-ownership.js';
import { foreignRootFolder, rootFolderAdvice } from '../run/root-own-folder.js';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Ecosystem, FailedFeedUpdate, FeedState } from '../core/types.js';
import { FEED_FORMAT, OSV_ECOSYSTEM, parseOsvZip, type FeedData } from './malicious-feed.js';

/** OSV's public data exports: `<base>/<ecosystem>/all.zip`. */
export const DEFAULT_FEED_BASE_URL = 'https://osv-vulnerabilities.storage.googleapis.com';
/** A feed older than this is said to be stale (an info line with the command). */
export const STALE_FEED_DAYS = 7;

type Env = Record<string, string | undefined>;

export function feedPath(ecosystem: Ecosystem, env: Env = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), '.cache');
  return join(cacheHome, 'safe-npm', `malicious-${ecosystem}.json`);
}

/**
 * The URL to download for `ecosystem`: `--url`, else `SAFE_PIP_FEED_URL` (safe-pip) / `SAFE_NPM_FEED_URL`,
 * else OSV's export. A URL ending in `.zip` is used as is; any other is a base with OSV's layout
 * (`<base>/npm/all.zip`, `<base>/PyPI/all.zip`), e.g. a company mirror of the bucket.
 */
export function feedUrl(ecosystem: Ecosystem, env: Env, override?: string): string {
  const configured = override ?? (ecosystem === 'pypi' ? env.SAFE_PIP_FEED_URL : undefined) ?? env.SAFE_NPM_FEED_URL ?? DEFAULT_FEED_BASE_URL;
  return /\.zip(\?.*)?$/i.test(configured) ? configured : `${configured.replace(/\/+$/, '')}/${OSV_ECOSYSTEM[ecosystem]}/all.zip`;
}

/**
 * As root, a feed folder another user can change (their XDG_CACHE_HOME kept by `sudo -E`) is neither
 * read (they could empty the feed for root) nor written (a link there led root's writes): the reason,
 * and the one change that gives root its own; undefined otherwise.
 */
export function foreignFeedFolder(ecosystem: Ecosystem, env: Env = process.env): { problem: string; fix: string } | undefined {
  const dir = dirname(feedPath(ecosystem, env));
  const foreign = foreignRootFolder(dir);
  if (!foreign) return undefined;
  return { problem: `root does not use the known-malicious feed in ${dir}: ${foreign} can be changed by someone other than root, who could empty it`, fix: rootFolderAdvice('XDG_CACHE_HOME', env) };
}

/** Where the last failed download is noted, beside the feed (`<feed>.failed.json`). */
function failurePath(path: string): string {
  return path.replace(/\.json$/, '') + '.failed.json';
}

/** The stored feed, or undefined when there is none; a damaged file reads as none (and is said so). With the last failed update, if any. */
export function readFeed(path: string): FeedState {
  const failedUpdate = readFailedUpdate(path);
  const withFailure = (state: FeedState): FeedState => (failedUpdate ? { ...state, failedUpdate } : state);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return withFailure({});
  }
  try {
    const feed = JSON.parse(text) as FeedData;
    if (feed.format !== FEED_FORMAT || typeof feed.records !== 'object' || !Number.isFinite(Date.parse(feed.fetchedAt))) throw new Error('unknown format');
    return withFailure({ feed });
  } catch (error) {
    return withFailure({ problem: `the known-malicious feed at ${path} is unreadable (${(error as Error).message})` });
  }
}

function readFailedUpdate(path: string): FailedFeedUpdate | undefined {
  try {
    const noted = JSON.parse(readFileSync(failurePath(path), 'utf8')) as Partial<FailedFeedUpdate>;
    if (typeof noted.url === 'string' && typeof noted.message === 'string' && typeof noted.at === 'string' && Number.isFinite(Date.parse(noted.at))) {
      return { url: noted.url, at: noted.at, message: noted.message };
    }
  } catch {
    // none noted, or unreadable: as if none
  }
  return undefined;
}

/** Notes (or, after a download that worked, forgets) the last failed update; best effort. */
function noteFailedUpdate(path: string, failure: FailedFeedUpdate | undefined): void {
  try {
    if (!failure) {
      rmSync(failurePath(path), { force: true });
      return;
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    replaceFile(failurePath(path), JSON.stringify(failure));
  } catch {
    // the note only sharpens a message
  }
}

export function writeFeedAtomically(path: string, feed: FeedData): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  replaceFile(path, JSON.stringify(feed));
}

/**
 * `path` replaced whole by a new file: written as a new temporary file (never through anything at
 * its name: a cache folder that is not ours — root with a user's XDG_CACHE_HOME — may hold a link
 * there to a file of root's, which was overwritten: attack trial), then renamed over `path` (a link
 * there is replaced, not followed).
 */
function replaceFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeNewFile(temporary, Buffer.from(text), 0o644);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

export interface UpdateResult {
  ok: boolean;
  message: string;
}

/**
 * Downloads the export, keeps the MAL- records, and replaces the stored copy only when all of that
 * worked. `fetchImpl` is the network edge (tests pass the global fetch against a loopback server).
 */
export async function updateFeed(input: { ecosystem: Ecosystem; url: string; path: string; now: Date; fetchImpl?: typeof fetch }): Promise<UpdateResult> {
  const result = await downloadFeed(input);
  noteFailedUpdate(input.path, result.ok ? undefined : { url: input.url, at: input.now.toISOString(), message: result.reason ?? result.message });
  return { ok: result.ok, message: result.message };
}

async function downloadFeed(input: { ecosystem: Ecosystem; url: string; path: string; now: Date; fetchImpl?: typeof fetch }): Promise<UpdateResult & { reason?: string }> {
  const { ecosystem, url, path } = input;
  const previous = readFeed(path).feed;
  const keep = previous ? `; kept the copy from ${previous.fetchedAt.slice(0, 10)}` : '';
  let bytes: Uint8Array;
  try {
    const response = await (input.fetchImpl ?? fetch)(url);
    if (!response.ok) return { ok: false, message: `could not download ${url}: HTTP ${response.status}${keep}`, reason: `HTTP ${response.status}` };
    bytes = new Uint8Array(await response.arrayBuffer());
    const expected = Number(response.headers.get('content-length'));
    if (Number.isFinite(expected) && expected > 0 && bytes.length !== expected) {
      return { ok: false, message: `the download of ${url} was cut short (${bytes.length} of ${expected} bytes)${keep}`, reason: `cut short at ${bytes.length} of ${expected} bytes` };
    }
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    const reason = `${(error as Error).message}${cause ? ` (${cause})` : ''}`;
    return { ok: false, message: `could not download ${url}: ${reason}${keep}`, reason };
  }
  let feed: FeedData;
  try {
    feed = parseOsvZip(bytes, ecosystem, { source: url, fetchedAt: input.now });
  } catch (error) {
    return { ok: false, message: `${url} is not a usable OSV export: ${(error as Error).message}${keep}`, reason: `not a usable OSV export: ${(error as Error).message}` };
  }
  writeFeedAtomically(path, feed);
  const names = Object.keys(feed.records).length;
  const records = new Set(Object.values(feed.records).flatMap((list) => list.map((r) => r.id))).size;
  return { ok: true, message: `known-malicious feed updated: ${records} ${OSV_ECOSYSTEM[ecosystem]} records for ${names} package names (${path})` };
}

/**
 * What the check says about the feed itself, once per run: missing, unreadable or stale, with the
 * command that fixes it. When the last `update-db` could not download (no network to OSV, as on a
 * closed CI machine), running it again is no advice: the line says what failed, and the command
 * with a URL that can be reached.
 */
export function feedNotice(state: FeedState, now: Date, tool: string): string | undefined {
  const failed = state.failedUpdate;
  const command = failed
    ? `the last update (${failed.at.slice(0, 10)}) could not download ${failed.url}: ${failed.message}; from a mirror of OSV's exports: ${tool} safe update-db --url <its URL>`
    : `run: ${tool} safe update-db`;
  if (state.problem) return `${state.problem}; ${state.fix ?? command}`;
  if (!state.feed) return `no known-malicious feed yet (packages are not checked against known malware); ${command}`;
  const days = Math.floor((now.getTime() - Date.parse(state.feed.fetchedAt)) / 86_400_000);
  if (days > STALE_FEED_DAYS) return `the known-malicious feed is ${days} days old (fetched ${state.feed.fetchedAt.slice(0, 10)}); ${command}`;
  return undefined;
}
