/**
 * Enough of PEP 440 to order versions: epoch, release, pre (a/b/rc), post, dev. Local labels are
 * ignored; unparsable versions sort below every valid one and compare as strings among themselves.
 */
interface Parsed {
  epoch: number;
  release: number[];
  pre?: [number, number];
  post?: number;
  dev?: number;
}

const re = /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+[a-z0-9.]+)?$/i;

export function parseVersion(v: string): Parsed | undefined {
  const m = v.trim().toLowerCase().match(re);
  if (!m) return undefined;
  const preKind = m[3];
  const preRank = preKind === undefined ? undefined : /^(a|alpha)$/.test(preKind) ? 0 : /^(b|beta)$/.test(preKind) ? 1 : 2;
  return {
    epoch: m[1] ? Number(m[1]) : 0,
    release: m[2]!.split('.').map(Number),
    pre: preRank === undefined ? undefined : [preRank, Number(m[4] || 0)],
    post: m[5] !== undefined ? Number(m[5]) : m[6] !== undefined ? Number(m[6] || 0) : undefined,
    dev: m[7] !== undefined ? Number(m[7] || 0) : undefined,
  };
}

export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return !pa && !pb ? a.localeCompare(b) : pa ? 1 : -1;
  if (pa.epoch !== pb.epoch) return pa.epoch - pb.epoch;
  const n = Math.max(pa.release.length, pb.release.length);
  for (let i = 0; i < n; i++) {
    const d = (pa.release[i] ?? 0) - (pb.release[i] ?? 0);
    if (d !== 0) return d;
  }
  // dev-only releases sort before pre-releases; pre before final; post after final.
  const key = (p: Parsed): number[] => [
    p.pre ? p.pre[0] : p.dev !== undefined && p.post === undefined ? -1 : 3,
    p.pre ? p.pre[1] : 0,
    p.post ?? -1,
    p.dev ?? Number.MAX_SAFE_INTEGER,
  ];
  const ka = key(pa);
  const kb = key(pb);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
  return 0;
}

export function maxVersion(versions: readonly string[]): string | undefined {
  return [...versions].sort(compareVersions).at(-1);
}
