/**
 * The hard guard: pip runs in-process from this small Python program, which wraps
 * `SourceDistribution.prepare_distribution_metadata` (the one place every sdist, local tree, VCS
 * checkout, direct URL and editable passes through before its build backend or setup.py runs) with
 * an allowlist check. A build that is not allowed is recorded and pip stops (exit 86) before any of
 * the package's code ran — whatever the requirement form, requirement file, constraint, env or
 * config that led there.
 *
 * It also records what pip itself parsed and saw, so nothing of it is re-implemented in Node:
 * - the effective index URLs, find-links and trusted hosts (CLI, -r files, env, config files);
 * - every candidate file pip found per project and the page it came from (dependency confusion);
 * - the destination options pip settled on (--target/--prefix/--user/--root from CLI, env, config).
 *
 * Private pip API (pip 23.0 – 26.x): `pip._internal.distributions.sdist.SourceDistribution`,
 * `PackageFinder.find_all_candidates`, `RequirementCommand._build_package_finder`. The guard fails
 * closed: if it cannot install its hooks it exits 87 and safe-pip stops.
 */

export const GUARD_EXIT_BUILD_REFUSED = 86;
export const GUARD_EXIT_HOOKS_FAILED = 87;

export interface GuardConfig {
  /** Canonical names (or direct URLs) whose build is allowed. */
  allow: string[];
  /** Where the guard writes its sidecar JSON. */
  sidecar: string;
  /** When set, a copy of every wheel file pip downloads is kept here (saves fetching it again). */
  keep?: string;
}

export interface GuardCandidate {
  version: string;
  url: string;
  filename: string;
  /** "sha256=..." from the link fragment or PEP 691 hashes, when pip knew it. */
  hash?: string;
  /** The page the link was found on (index project page or find-links page), if any. */
  comesFrom?: string;
  isWheel: boolean;
  yanked?: string | null;
}

export interface GuardRefusal {
  name: string | null;
  url: string | null;
  editable: boolean;
  /** "dir" | "archive" | "vcs" | "index" */
  kind: string;
  version: string | null;
  /** The distribution whose metadata asked for this requirement (a dependency), if any. */
  parent?: string | null;
  parentVersion?: string | null;
  /** The parent declared it as `name @ URL` in its own metadata (not the user, not a constraint). */
  declaredUrl?: boolean;
}

export interface GuardSidecar {
  pipVersion?: string;
  indexUrls?: string[];
  findLinks?: string[];
  trustedHosts?: string[];
  options?: {
    target_dir?: string | null;
    prefix_path?: string | null;
    root_path?: string | null;
    use_user_site?: boolean | null;
    no_index?: boolean;
    requirements?: string[];
    constraints?: string[];
    editables?: string[];
  };
  candidates?: Record<string, GuardCandidate[]>;
  refused?: GuardRefusal[];
  allowedBuilds?: string[];
  /** Per project: versions that exist only as source distributions (hidden by --only-binary). */
  sourceOnly?: Record<string, string[]>;
}

export const guardPython = String.raw`
import json, os, sys

_CONF_PATH = os.environ.pop("SAFE_PIP_GUARD_CONFIG")
with open(_CONF_PATH) as _f:
    _CONF = json.load(_f)
_ALLOW = set(_CONF.get("allow", []))
_SIDE = {"candidates": {}, "refused": [], "allowedBuilds": []}

def _dump():
    tmp = _CONF["sidecar"] + ".tmp"
    with open(tmp, "w") as f:
        json.dump(_SIDE, f)
    os.replace(tmp, _CONF["sidecar"])

def _redact(url):
    try:
        from pip._internal.utils.misc import redact_auth_from_url
        return redact_auth_from_url(url)
    except Exception:
        return url

try:
    import pip
    _SIDE["pipVersion"] = pip.__version__
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._internal.distributions import sdist as _sdist
    from pip._internal.index import package_finder as _pf
    from pip._internal.cli import req_command as _rc
except Exception as e:  # fail closed
    sys.stderr.write("safe-pip: cannot install the build guard in this pip: %s\n" % e)
    sys.exit(87)

def _link_kind(link, editable):
    if link is None:
        return "index"
    if getattr(link, "is_vcs", False):
        return "vcs"
    try:
        if link.is_existing_dir():
            return "dir"
    except Exception:
        pass
    return "archive"

_orig_prepare = _sdist.SourceDistribution.prepare_distribution_metadata

def _guarded_prepare(self, *args, **kwargs):
    req = self.req
    name = canonicalize_name(req.name) if req.name else None
    link = getattr(req, "link", None)
    url = link.url_without_fragment if link is not None else None
    keys = set()
    if name:
        keys.add(name)
    if url:
        keys.add(url)
    if keys & _ALLOW:
        _SIDE["allowedBuilds"].append(name or url)
        _dump()
        return _orig_prepare(self, *args, **kwargs)
    version = None
    try:
        if link is not None and link.filename:
            base = link.filename
            for ext in (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar"):
                if base.endswith(ext):
                    base = base[: -len(ext)]
                    break
            if name and "-" in base:
                version = base.rsplit("-", 1)[1]
    except Exception:
        pass
    parent = None
    parent_version = None
    declared = False
    try:
        from pip._internal.req.req_install import InstallRequirement as _IR
        cf = getattr(req, "comes_from", None)
        if isinstance(cf, _IR):
            parent = canonicalize_name(cf.name) if cf.name else None
            declared = bool(getattr(getattr(req, "req", None), "url", None)) and not getattr(req, "user_supplied", False)
            plink = getattr(cf, "link", None)
            if plink is not None and plink.is_wheel:
                from pip._internal.models.wheel import Wheel as _W
                parent_version = _W(plink.filename).version
    except Exception:
        pass
    _SIDE["refused"].append({
        "parent": parent,
        "parentVersion": parent_version,
        "declaredUrl": declared,
        "name": name,
        "url": _redact(url) if url else None,
        "editable": bool(getattr(req, "editable", False)),
        "kind": "index" if (link is not None and getattr(req, "original_link", None) is None and not getattr(req, "editable", False) and not getattr(link, "is_vcs", False)) else _link_kind(link, getattr(req, "editable", False)),
        "version": version,
    })
    _dump()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(86)

_sdist.SourceDistribution.prepare_distribution_metadata = _guarded_prepare

_orig_find_all = _pf.PackageFinder.find_all_candidates

def _find_all(self, project_name):
    result = _orig_find_all(self, project_name)
    try:
        # Index options inside requirement files reach the finder after it was built: read them now.
        _SIDE["indexUrls"] = list(self.index_urls)
        _SIDE["findLinks"] = list(self.find_links)
        _SIDE["trustedHosts"] = list(self.trusted_hosts)
    except Exception:
        pass
    try:
        out = []
        for c in result:
            link = c.link
            cf = link.comes_from
            cf_url = getattr(cf, "url", cf) if cf is not None else None
            h = None
            try:
                if link.hash_name and link.hash:
                    h = "%s=%s" % (link.hash_name, link.hash)
            except Exception:
                pass
            out.append({
                "version": str(c.version),
                "url": _redact(link.url_without_fragment),
                "filename": link.filename,
                "hash": h,
                "comesFrom": _redact(str(cf_url)) if cf_url else None,
                "isWheel": bool(link.is_wheel),
                "yanked": link.yanked_reason if link.is_yanked else None,
            })
        cname = canonicalize_name(project_name)
        _SIDE["candidates"][cname] = out
        fc = getattr(self, "format_control", None)
        if fc is not None and ":all:" in fc.only_binary and cname not in fc.no_binary and cname not in fc.only_binary:
            # What only-binary hid: versions that exist only as source (pip would silently pick an older wheel or fail).
            saved = set(fc.only_binary)
            # pip 23 caches with lru_cache (call __wrapped__); pip >= 25 in self._all_candidates.
            cache = getattr(self, "_all_candidates", None)
            cached = cache.pop(project_name, None) if isinstance(cache, dict) else None
            try:
                fc.only_binary.discard(":all:")
                every = getattr(_orig_find_all, "__wrapped__", _orig_find_all)(self, project_name)
            finally:
                fc.only_binary.clear()
                fc.only_binary.update(saved)
                if isinstance(cache, dict):
                    cache.pop(project_name, None)
                    if cached is not None:
                        cache[project_name] = cached
            wheel_versions = set(str(c.version) for c in result)
            src = sorted(set(str(c.version) for c in every if not c.link.is_wheel and str(c.version) not in wheel_versions))
            if src:
                _SIDE.setdefault("sourceOnly", {})[cname] = src
        _dump()
    except Exception as e:
        sys.stderr.write("safe-pip: could not record candidates: %s\n" % e)
    return result

_pf.PackageFinder.find_all_candidates = _find_all

_orig_build_finder = _rc.RequirementCommand._build_package_finder

def _build_finder(self, options, *args, **kwargs):
    finder = _orig_build_finder(self, options, *args, **kwargs)
    try:
        _SIDE["indexUrls"] = list(finder.index_urls)
        _SIDE["findLinks"] = list(finder.find_links)
        _SIDE["trustedHosts"] = list(finder.trusted_hosts)
        _SIDE["options"] = {
            "target_dir": getattr(options, "target_dir", None),
            "prefix_path": getattr(options, "prefix_path", None),
            "root_path": getattr(options, "root_path", None),
            "use_user_site": getattr(options, "use_user_site", None),
            "no_index": bool(getattr(options, "no_index", False)),
            "requirements": list(getattr(options, "requirements", []) or []),
            "constraints": list(getattr(options, "constraints", []) or []),
            "editables": list(getattr(options, "editables", []) or []),
        }
        _dump()
    except Exception as e:
        sys.stderr.write("safe-pip: could not record options: %s\n" % e)
    return finder

_rc.RequirementCommand._build_package_finder = _build_finder

# Keep a copy of each wheel pip downloads (best effort; safe-pip checks every hash itself).
if _CONF.get("keep"):
    try:
        import shutil
        from pip._internal.operations import prepare as _prep
        _orig_plr = _prep.RequirementPreparer._prepare_linked_requirement

        def _plr(self, req, *args, **kwargs):
            dist = _orig_plr(self, req, *args, **kwargs)
            try:
                path = getattr(req, "local_file_path", None)
                if req.link is not None and req.link.is_wheel and path and os.path.isfile(path):
                    shutil.copyfile(path, os.path.join(_CONF["keep"], os.path.basename(req.link.filename)))
            except Exception:
                pass
            return dist

        _prep.RequirementPreparer._prepare_linked_requirement = _plr
    except Exception:
        pass
_dump()

from pip._internal.cli.main import main as _pip_main
sys.argv[0] = "pip"
sys.exit(_pip_main(sys.argv[1:]))
`;
