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
/** Not an exit code: a held install waiting for "go" (GuardedPipResult.held). */
export const GUARD_HELD = -86;

export interface GuardConfig {
  /** Canonical names (or direct URLs) whose build is allowed. */
  allow: string[];
  /**
   * Allowed keys whose content was vetted → the digest of that content (see `GuardRefusal.digest`):
   * the build runs only while its source tree still has that digest; otherwise it is refused as `changed`.
   */
  digests?: Record<string, string>;
  /** Where the guard writes its sidecar JSON. */
  sidecar: string;
  /** When set, a copy of every wheel file pip downloads is kept here (saves fetching it again). */
  keep?: string;
  /**
   * Release cooldown: candidates uploaded after `cutoff` (PEP 700 `upload-time` pip saw on the
   * index, or listed in `young` by safe-pip from the JSON API) are dropped from what the resolver
   * may choose — unless nothing older satisfies the request, then pip's own choice stands.
   * Canonical names matching an `exclude` glob are left alone.
   */
  cooldown?: { cutoff: string; exclude: string[]; young: Record<string, string[]> };
  /** The `--report` file of this run: when pip succeeds, the guard adds the dependency edges to the sidecar. */
  report?: string;
  /**
   * A held install: the file descriptor of the control socket. pip stops after its resolve, before any
   * build or install, says "held" and waits for "go <{canonical name: sha256}>" (anything else: exit 0).
   */
  hold?: number;
  /** Keep every index page pip reads in this folder (GuardSidecar.pages). */
  pages?: string;
}

export interface GuardCooldown {
  /** Per project: versions the cooldown kept from the resolver → their upload time (ISO). */
  skipped?: Record<string, Record<string, string>>;
  /** Per project: versions kept although young, because no older version satisfied the request. */
  tooYoung?: Record<string, string[]>;
  /** Upload times pip saw on the index (PEP 700), per project and version (earliest file). */
  times?: Record<string, Record<string, string>>;
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
  /** sha256 over every file of the source tree pip would build (null: too large to read whole). */
  digest?: string | null;
  /** The text of the files the content scan reads (path in the source tree → text). */
  files?: Record<string, string>;
  /** An allowed build whose content is not the content that was vetted. */
  changed?: boolean;
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
  cooldown?: GuardCooldown;
  /** Dependency edges of the report's install set: canonical name → canonical names it requires there. */
  edges?: Record<string, string[]>;
  /** Why the edges could not be computed (then paths are not shown). */
  edgesError?: string;
  /** Canonical names of what the user asked for (command line, requirement files, env), as pip parsed them. */
  requested?: string[];
  /** Index pages pip could not fetch (connection, DNS, timeout, TLS, 5xx): page URL → pip's reason. */
  unreachable?: Record<string, string>;
  /** Index pages pip read: the URL it asked for → a file holding `{ url, contentType, body }`. */
  pages?: Record<string, string>;
  /** A held install: what pip would build before installing (canonical names, or URLs). */
  pendingBuilds?: string[];
  /** Index pages and files pip could not get or read (pip itself logs most of these at debug level only). */
  indexFailures?: GuardIndexFailure[];
}

export interface GuardIndexFailure {
  /** The page or file URL (credentials redacted); null when pip failed on a whole project (`project`). */
  url: string | null;
  project?: string | null;
  /** The HTTP status, when there was an answer. */
  status?: number | null;
  /** pip's reason, one line ("ExceptionName: message" for exceptions). */
  reason: string;
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

def _nofrag(link):
    # Not link.url_without_fragment: urlunsplit drops the "//" of git+file:///.
    return link.url.split("#", 1)[0]

def _redact(url):
    # Only a URL with credentials is rewritten: pip's redaction drops the "//" of git+file:///.
    if "@" not in url.split("://", 1)[-1].split("/", 1)[0]:
        return url
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
    from pip._internal.index import collector as _collector_mod
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
_DIGESTS = _CONF.get("digests") or {}

def _source_content(req):
    """What a build would run, read before it runs: a digest of every file of the source tree
    (VCS metadata and __pycache__ left out) and the text of the files the content scan reads
    (.py files up to three folders deep, pyproject.toml, setup.cfg). The digest is None when
    the tree is too large, or not readable, to read whole."""
    import hashlib, stat
    src = getattr(req, "source_dir", None)
    if not src or not os.path.isdir(src):
        return None, {}
    try:
        top = req.unpacked_source_directory
    except Exception:
        top = src
    h = hashlib.sha256()
    texts = {}
    budget = 4 << 20
    total = 0
    count = 0
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in (".git", ".hg", ".svn", ".bzr", "__pycache__"))
        for f in sorted(files):
            p = os.path.join(root, f)
            rel = os.path.relpath(p, src).replace(os.sep, "/")
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                h.update(b"L" + rel.encode() + b"\0" + os.readlink(p).encode() + b"\0")
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            count += 1
            total += st.st_size
            if count > 20000 or total > (256 << 20):
                return None, texts
            try:
                with open(p, "rb") as fh:
                    data = fh.read()
            except OSError:
                return None, texts  # a file the build user cannot read: the tree cannot be vetted whole
            h.update(b"F" + rel.encode() + b"\0" + hashlib.sha256(data).digest())
            trel = os.path.relpath(p, top).replace(os.sep, "/")
            if trel.startswith(".."):
                continue
            wanted = (trel.endswith(".py") and trel.count("/") <= 3) or trel in ("pyproject.toml", "setup.cfg")
            if wanted and len(data) <= (512 << 10) and len(data) <= budget:
                texts[trel] = data.decode("utf-8", "replace")
                budget -= len(data)
    return h.hexdigest(), texts

def _refuse(req, name, link, url, digest, texts, changed):
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
        "digest": digest,
        "files": texts,
        "changed": changed,
    })
    _dump()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(86)

def _guarded_prepare(self, *args, **kwargs):
    req = self.req
    name = canonicalize_name(req.name) if req.name else None
    link = getattr(req, "link", None)
    url = _nofrag(link) if link is not None else None
    keys = set()
    if name:
        keys.add(name)
    if url:
        keys.add(url)
    hit = keys & _ALLOW
    if not hit:
        digest, texts = _source_content(req)
        _refuse(req, name, link, url, digest, texts, False)
    # An allowed build whose content was vetted runs only while its content is that same content.
    pinned = [_DIGESTS[k] for k in hit if k in _DIGESTS]
    if pinned:
        digest, texts = _source_content(req)
        if digest is None or digest not in pinned:
            _refuse(req, name, link, url, digest, texts, True)
    _SIDE["allowedBuilds"].append(name or url)
    _dump()
    return _orig_prepare(self, *args, **kwargs)

_sdist.SourceDistribution.prepare_distribution_metadata = _guarded_prepare

# Index and download faults as pip met them: pip logs a failed index page at debug level and goes on
# to "no matching distribution"; safe-pip names the index and the failure instead (exit 68).
def _fault(url, reason, status=None, project=None):
    try:
        if isinstance(reason, BaseException):
            first = (str(reason).strip().splitlines() or [""])[0]
            reason = "%s: %s" % (type(reason).__name__, first)
        _SIDE.setdefault("indexFailures", []).append({"url": _redact(str(url)) if url else None, "project": project, "status": status, "reason": str(reason)[:300]})
        _dump()
    except Exception:
        pass

try:
    from pip._internal.index import collector as _coll
    _orig_simple_fail = _coll._handle_get_simple_fail

    def _simple_fail(link, reason, *a, **k):
        status = getattr(getattr(reason, "response", None), "status_code", None)
        _fault(getattr(link, "url", link), reason, status)
        # Pages that could not be fetched at all (connection, DNS, timeout, TLS, 5xx): an index none of
        # whose pages answered is "unreachable" (a 404 is an answer: "no such project").
        try:
            text = str(reason)
            if not (status is not None and 400 <= status < 500) and "Client Error" not in text:
                _SIDE.setdefault("unreachable", {})[_redact(str(getattr(link, "url", link)))] = text[:300]
                _dump()
        except Exception:
            pass
        return _orig_simple_fail(link, reason, *a, **k)

    _coll._handle_get_simple_fail = _simple_fail
except Exception:
    pass  # only the message is less precise

try:
    from pip._internal.operations import prepare as _prep_f
    _orig_plr_f = _prep_f.RequirementPreparer._prepare_linked_requirement

    def _plr_f(self, req, *a, **k):
        try:
            return _orig_plr_f(self, req, *a, **k)
        except BaseException as e:
            link = getattr(req, "link", None)
            if link is not None and str(getattr(link, "scheme", "")).startswith("http"):
                _fault(link.url_without_fragment, e, getattr(getattr(e, "response", None), "status_code", None))
            raise

    _prep_f.RequirementPreparer._prepare_linked_requirement = _plr_f
except Exception:
    pass

_orig_find_all = _pf.PackageFinder.find_all_candidates
_FAILED_PROJECTS = set()

def _find_all(self, project_name):
    faults_before = len(_SIDE.get("indexFailures", []))
    try:
        result = _orig_find_all(self, project_name)
    except Exception as e:  # e.g. a PEP 691 page cut short: pip 23 stops with a traceback
        _fault(None, e, None, canonicalize_name(project_name))
        raise
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
                "url": _redact(_nofrag(link)),
                "filename": link.filename,
                "hash": h,
                "comesFrom": _redact(str(cf_url)) if cf_url else None,
                "isWheel": bool(link.is_wheel),
                "yanked": link.yanked_reason if link.is_yanked else None,
            })
        cname = canonicalize_name(project_name)
        _SIDE["candidates"][cname] = out
        fc = getattr(self, "format_control", None)
        # (Not when a page of this project failed: asking again would only wait for it again.)
        if len(_SIDE.get("indexFailures", [])) > faults_before:
            _FAILED_PROJECTS.add(cname)
        if fc is not None and ":all:" in fc.only_binary and cname not in fc.no_binary and cname not in fc.only_binary and cname not in _FAILED_PROJECTS:
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

# What the user asked for, as pip parsed it (command line, -r files, env, config): the names are
# checked even when pip then cannot resolve them. An editable VCS requirement is refused here,
# before pip would clone it (a -e line inside a requirements file included).
_orig_get_requirements = _rc.RequirementCommand.get_requirements

def _get_requirements(self, *args, **kwargs):
    reqs = _orig_get_requirements(self, *args, **kwargs)
    try:
        _SIDE["requested"] = sorted(set(canonicalize_name(r.name) for r in reqs if getattr(r, "user_supplied", False) and r.name))
        _dump()
    except Exception as e:
        sys.stderr.write("safe-pip: could not record the requested names: %s\n" % e)
    for r in reqs:
        link = getattr(r, "link", None)
        if getattr(r, "editable", False) and link is not None and getattr(link, "is_vcs", False):
            _SIDE["refused"].append({
                "name": canonicalize_name(r.name) if r.name else None,
                "url": _redact(_nofrag(link)),
                "editable": True,
                "kind": "vcs",
                "version": None,
            })
            _dump()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(86)
    return reqs

_rc.RequirementCommand.get_requirements = _get_requirements

# The index pages pip read, kept for safe-pip's checks: the facts come from the very page pip chose
# from, and no page is asked for twice (see GuardConfig.pages).
if _CONF.get("pages"):
    try:
        _orig_fetch_response = _collector_mod.LinkCollector.fetch_response

        def _fetch_response(self, location, *args, **kwargs):
            page = _orig_fetch_response(self, location, *args, **kwargs)
            try:
                if page is not None:
                    pages = _SIDE.setdefault("pages", {})
                    path = os.path.join(_CONF["pages"], "page-%d.json" % len(pages))
                    body = page.content.decode(page.encoding or "utf-8", "replace")
                    with open(path, "w") as f:
                        json.dump({"url": _redact(page.url), "contentType": page.content_type, "body": body}, f)
                    pages[_redact(_nofrag(location))] = path
                    _dump()
            except Exception:
                pass
            return page

        _collector_mod.LinkCollector.fetch_response = _fetch_response
    except Exception:
        pass

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

# Release cooldown: what the resolver may choose (see GuardConfig.cooldown).
_COOL = _CONF.get("cooldown")
_UPLOADED = {}
if _COOL:
    try:
        import fnmatch
        from datetime import datetime, timezone
        from pip._internal.models import link as _link_mod

        def _parse_time(s):
            try:
                t = datetime.fromisoformat(str(s).replace("Z", "+00:00"))
                return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
            except Exception:
                return None

        _CUTOFF = _parse_time(_COOL["cutoff"])
        _EXCLUDE = [p.lower() for p in _COOL.get("exclude", [])]
        _YOUNG = {k: set(v) for k, v in (_COOL.get("young") or {}).items()}
        _CSIDE = _SIDE.setdefault("cooldown", {"skipped": {}, "tooYoung": {}, "times": {}})
        _orig_from_json = _link_mod.Link.from_json.__func__

        def _from_json(cls, file_data, page_url, *a, **k):
            link = _orig_from_json(cls, file_data, page_url, *a, **k)
            try:
                if link is not None and file_data.get("upload-time"):
                    _UPLOADED[link.url_without_fragment] = file_data["upload-time"]
            except Exception:
                pass
            return link

        _link_mod.Link.from_json = classmethod(_from_json)

        def _uploaded(link):
            t = getattr(link, "upload_time", None)
            if t is not None:
                return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
            raw = _UPLOADED.get(link.url_without_fragment)
            return _parse_time(raw) if raw else None

        def _excluded(cname):
            return any(fnmatch.fnmatchcase(cname, p) for p in _EXCLUDE)

        _orig_best = _pf.PackageFinder.find_best_candidate

        def _best(self, *args, **kwargs):
            result = _orig_best(self, *args, **kwargs)
            try:
                name = kwargs.get("project_name", args[0] if args else None)
                cname = canonicalize_name(name)
                if _excluded(cname):
                    return result
                if hasattr(result, "iter_applicable"):
                    every, applicable = list(result.iter_all()), list(result.iter_applicable())
                else:
                    every, applicable = list(result.all_candidates), list(result.applicable_candidates)
                times = _CSIDE["times"].setdefault(cname, {})
                young = []
                for c in applicable:
                    t = _uploaded(c.link)
                    v = str(c.version)
                    if t is not None:
                        iso = t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
                        if v not in times or iso < times[v]:
                            times[v] = iso
                    if (t is not None and t > _CUTOFF) or v in _YOUNG.get(cname, ()):
                        young.append(c)
                if not young:
                    return result
                old = [c for c in applicable if c not in young]
                if not old:
                    tl = _CSIDE["tooYoung"].setdefault(cname, [])
                    for c in young:
                        if str(c.version) not in tl:
                            tl.append(str(c.version))
                    _dump()
                    return result
                sk = _CSIDE["skipped"].setdefault(cname, {})
                for c in young:
                    t = _uploaded(c.link)
                    sk[str(c.version)] = t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if t is not None else ""
                _dump()
                return type(result)(every, old, old[-1])
            except Exception as e:  # fail closed: a cooldown that cannot apply stops the run
                sys.stderr.write("safe-pip: cannot apply the release cooldown in this pip: %s\n" % e)
                os._exit(87)

        _pf.PackageFinder.find_best_candidate = _best
    except Exception as e:
        sys.stderr.write("safe-pip: cannot install the release cooldown in this pip: %s\n" % e)
        sys.exit(87)


def _edges(report_path):
    """Dependency edges among the report's items: requires_dist evaluated with the report's
    environment markers and the extras each item is installed with (packaging semantics)."""
    from pip._vendor.packaging.requirements import Requirement
    with open(report_path) as f:
        report = json.load(f)
    env = dict(report.get("environment") or {})
    items = {}
    for it in report.get("install") or []:
        md = it.get("metadata") or {}
        if md.get("name"):
            items[canonicalize_name(md["name"])] = md.get("requires_dist") or []
    extras = {canonicalize_name((it.get("metadata") or {}).get("name", "")): set(it.get("requested_extras") or []) for it in report.get("install") or []}
    parsed = {}
    for name, reqs in items.items():
        out = []
        for line in reqs:
            try:
                out.append(Requirement(line))
            except Exception:
                pass
        parsed[name] = out
    edges = {name: [] for name in items}
    changed = True
    rounds = 0
    while changed and rounds < 100:
        changed = False
        rounds += 1
        for name, reqs in parsed.items():
            for r in reqs:
                child = canonicalize_name(r.name)
                if child not in items or child == name:
                    continue
                if r.marker is not None:
                    ok = False
                    for e in [""] + sorted(extras.get(name, ())):
                        ctx = dict(env)
                        ctx["extra"] = e
                        try:
                            if r.marker.evaluate(ctx):
                                ok = True
                                break
                        except Exception:
                            pass
                    if not ok:
                        continue
                if child not in edges[name]:
                    edges[name].append(child)
                    changed = True
                new = set(canonicalize_name(x) for x in r.extras) - extras.setdefault(child, set())
                if new:
                    extras[child] |= new
                    changed = True
    return edges

from pip._internal.cli.main import main as _pip_main

# A held install (GuardConfig.hold): a real \`pip install\` stops after its resolve (the report is
# written, the wheels are downloaded), before any build or install: it records what it would build,
# says "held" on the control socket and waits. "go <json>" lets it go on, installing only files whose
# sha256 is the one given for their project (the wheels safe-pip read); anything else — the socket
# closed: the run was called off — exits before anything is built or installed.
_EXPECT = None
if _CONF.get("hold") is not None:
    try:
        import hashlib
        from pip._internal.commands import install as _install_cmd
        _HOLD = _CONF["hold"]
        _orig_build = _install_cmd.build
        _orig_install = _install_cmd.install_given_reqs

        def _hold(pending):
            global _EXPECT
            if _EXPECT is not None:
                return
            _SIDE["pendingBuilds"] = pending
            # The report is written by now: the edges go with it, as after a dry run.
            if _CONF.get("report"):
                try:
                    _SIDE["edges"] = _edges(_CONF["report"])
                except Exception as e:
                    _SIDE["edgesError"] = str(e)
            _dump()
            sys.stdout.flush()
            sys.stderr.flush()
            os.write(_HOLD, b"held\n")
            msg = b""
            while not msg.endswith(b"\n"):
                chunk = os.read(_HOLD, 65536)
                if not chunk:
                    break
                msg += chunk
            if not msg.startswith(b"go "):
                os._exit(0)
            _EXPECT = json.loads(msg[3:].decode())

        def _held_build(reqs_to_build, *args, **kwargs):
            _hold([canonicalize_name(r.name) if r.name else _redact(_nofrag(r.link)) for r in reqs_to_build])
            return _orig_build(reqs_to_build, *args, **kwargs)

        def _checked_install(to_install, *args, **kwargs):
            _hold([])
            for r in to_install:
                name = canonicalize_name(r.name) if r.name else None
                path = getattr(r, "local_file_path", None)
                want = _EXPECT.get(name) if name else None
                got = None
                if path and os.path.isfile(path):
                    with open(path, "rb") as f:
                        got = hashlib.sha256(f.read()).hexdigest()
                if not want or got != want:
                    _SIDE["refused"].append({"name": name, "url": _redact(_nofrag(r.link)) if r.link else None, "editable": bool(r.editable), "kind": "index", "version": None, "changed": True})
                    _dump()
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(86)
            return _orig_install(to_install, *args, **kwargs)

        _install_cmd.build = _held_build
        _install_cmd.install_given_reqs = _checked_install
    except Exception as e:  # fail closed: an install that cannot be held does not run
        sys.stderr.write("safe-pip: cannot hold this pip's install for vetting: %s\n" % e)
        sys.exit(87)

sys.argv[0] = "pip"
_rc = _pip_main(sys.argv[1:])
if _rc == 0 and _CONF.get("report"):
    try:
        _SIDE["edges"] = _edges(_CONF["report"])
    except Exception as e:
        _SIDE["edgesError"] = str(e)
    _dump()
sys.exit(_rc)
`;
