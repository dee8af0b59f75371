/**
 * Tiny Python distributions for tests, built with /usr/bin/python3's zipfile/tarfile (no network,
 * no setuptools): wheels with chosen files, and sdists whose in-tree PEP 517 backend
 * (`backend-path = ["."]`, no build requirements; wheel and PEP 660 editable hooks) appends "<uid>\n"
 * to a marker file the moment pip imports it — so a test can stat the marker to see whether (and as whom) the package's code ran.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

export interface BuiltDist {
  filename: string;
  path: string;
  sha256: string;
}

export interface WheelSpec {
  name: string;
  version: string;
  requires?: string[];
  /** Extra files, wheel-relative path → content. Default: `<module>/__init__.py`. */
  files?: Record<string, string>;
  /** entry_points.txt content. */
  entryPoints?: string;
}

export interface SdistSpec {
  name: string;
  version: string;
  requires?: string[];
  /** File the backend appends its uid to when pip imports it. */
  marker: string;
  /** More files in the sdist (path → content), e.g. a setup.py for the content scan to read. */
  files?: Record<string, string>;
}

const script = String.raw`
import sys, json, os, zipfile, tarfile, io, hashlib, base64
spec = json.load(sys.stdin)
def norm(n): 
    import re
    return re.sub(r"[-_.]+", "_", n).lower()
def metadata(name, version, requires):
    lines = ["Metadata-Version: 2.1", "Name: " + name, "Version: " + version, "Summary: test package " + name]
    import re as _re
    for e in sorted(set(_re.findall(r"extra\s*==\s*[\"']([^\"']+)[\"']", " ".join(requires or [])))):
        lines.append("Provides-Extra: " + e)
    for r in requires or []:
        lines.append("Requires-Dist: " + r)
    return "\n".join(lines) + "\n"
def write_wheel(outdir, name, version, requires, files, entry_points):
    dist = norm(name)
    fn = "%s-%s-py3-none-any.whl" % (dist, version)
    info = "%s-%s.dist-info" % (dist, version)
    members = dict(files or {dist + "/__init__.py": "VERSION = %r\n" % version})
    members[info + "/METADATA"] = metadata(name, version, requires)
    members[info + "/WHEEL"] = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if entry_points:
        members[info + "/entry_points.txt"] = entry_points
    record = []
    for path, content in members.items():
        data = content.encode()
        h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, h, len(data)))
    record.append(info + "/RECORD,,")
    members[info + "/RECORD"] = "\n".join(record) + "\n"
    path = os.path.join(outdir, fn)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, c in members.items():
            zi = zipfile.ZipInfo(p, date_time=(2020, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, c)
    return path
BACKEND = '''
import os, sys
with open(%(marker)r, "a") as _m:
    _m.write("%%d\\n" %% os.getuid())
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _wheelmaker
def get_requires_for_build_wheel(config_settings=None):
    return []
def get_requires_for_build_sdist(config_settings=None):
    return []
def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    d = os.path.join(metadata_directory, "%(dist)s-%(version)s.dist-info")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write(%(metadata)r)
    return os.path.basename(d)
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return os.path.basename(_wheelmaker.write_wheel(wheel_directory, %(name)r, %(version)r, %(requires)r, None, None))
def get_requires_for_build_editable(config_settings=None):
    return []
def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return prepare_metadata_for_build_wheel(metadata_directory, config_settings)
def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.basename(_wheelmaker.write_wheel(wheel_directory, %(name)r, %(version)r, %(requires)r, {"__editable__.%(dist)s.pth": here + "\\n"}, None))
'''
def write_sdist(outdir, name, version, requires, marker, extra=None):
    dist = norm(name)
    base = "%s-%s" % (dist, version)
    import inspect
    maker = "import os, hashlib, base64, zipfile\n" + inspect.getsource(norm) + inspect.getsource(metadata) + inspect.getsource(write_wheel)
    files = {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n\n[project]\nname = "%s"\nversion = "%s"\n' % (name, version),
        "backend.py": BACKEND % {"marker": marker, "dist": dist, "version": version, "metadata": metadata(name, version, requires), "name": name, "requires": requires or []},
        "_wheelmaker.py": maker,
        "PKG-INFO": metadata(name, version, requires),
    }
    files.update(extra or {})
    path = os.path.join(outdir, base + ".tar.gz")
    with tarfile.open(path, "w:gz") as t:
        for p, c in files.items():
            data = c.encode()
            ti = tarfile.TarInfo(base + "/" + p)
            ti.size = len(data)
            ti.mtime = 1577836800
            t.addfile(ti, io.BytesIO(data))
    return path
if spec["kind"] == "wheel":
    print(write_wheel(spec["outdir"], spec["name"], spec["version"], spec.get("requires"), spec.get("files"), spec.get("entryPoints")))
else:
    print(write_sdist(spec["outdir"], spec["name"], spec["version"], spec.get("requires"), spec["marker"], spec.get("files")))
`;

let scriptFile: string | undefined;

function run(spec: Record<string, unknown>): BuiltDist {
  if (!scriptFile) {
    scriptFile = join(mkdtempSync(join(tmpdir(), 'py-dists-')), 'make_dist.py');
    writeFileSync(scriptFile, script);
  }
  const path = execFileSync(PYTHON, [scriptFile], { input: JSON.stringify(spec), encoding: 'utf8' }).trim();
  return { path, filename: path.split('/').at(-1)!, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
}

export function buildWheel(outdir: string, spec: WheelSpec): BuiltDist {
  return run({ kind: 'wheel', outdir, ...spec });
}

export function buildSdist(outdir: string, spec: SdistSpec): BuiltDist {
  return run({ kind: 'sdist', outdir, ...spec });
}

/** An unpacked source tree (for `pip install ./dir` and `-e`), built from the sdist. */
export function unpackSdist(sdist: BuiltDist, into: string): string {
  execFileSync('tar', ['-xzf', sdist.path, '-C', into]);
  return join(into, sdist.filename.replace(/\.tar\.gz$/, ''));
}
