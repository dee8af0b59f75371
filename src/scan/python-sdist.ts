/**
 * What building a Python sdist runs, as scan documents: setup.py, and an in-tree build backend named
 * by pyproject.toml (`build-backend` with `backend-path`). Pure over the sdist's files (path → text).
 * Not wired into safe-pip's flow yet (the pip flow is being moved); `scanSdist` is the entry point.
 */
import { scanDocuments } from './scan.js';
import type { ContentFinding, ScanDocument } from './types.js';

export function sdistScanDocuments(files: ReadonlyMap<string, string>): ScanDocument[] {
  // An sdist unpacks into `<name>-<version>/`: work from the folder that holds setup.py / pyproject.toml.
  const root = [...files.keys()].map((p) => p.match(/^(.*?)(?:setup\.py|pyproject\.toml)$/)?.[1]).filter((p): p is string => p !== undefined).sort((a, b) => a.length - b.length)[0] ?? '';
  const docs: ScanDocument[] = [];
  const setupPy = files.get(`${root}setup.py`);
  if (setupPy !== undefined) docs.push({ path: 'setup.py', kind: 'python', text: setupPy });
  const pyproject = files.get(`${root}pyproject.toml`);
  if (pyproject !== undefined) {
    const backend = /^\s*build-backend\s*=\s*["']([\w.]+)(?::\w+)?["']/m.exec(pyproject)?.[1];
    const paths = /^\s*backend-path\s*=\s*\[([^\]]*)\]/m.exec(pyproject)?.[1]?.match(/["']([^"']+)["']/g)?.map((s) => s.slice(1, -1)) ?? [];
    if (backend) {
      const module = backend.replace(/\./g, '/');
      for (const base of paths) {
        for (const candidate of [`${module}.py`, `${module}/__init__.py`]) {
          const path = `${base.replace(/^\.\/?/, '').replace(/\/?$/, base === '.' || base === './' ? '' : '/')}${candidate}`;
          const text = files.get(`${root}${path}`);
          if (text !== undefined) docs.push({ path, kind: 'python', text });
        }
      }
    }
  }
  return docs;
}

export function scanSdist(files: ReadonlyMap<string, string>): ContentFinding[] {
  return scanDocuments(sdistScanDocuments(files));
}
