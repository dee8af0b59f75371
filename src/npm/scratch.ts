/**
 * A scratch copy of the project's manifests and lockfiles (no node_modules), owned by the build user,
 * for resolving the whole tree without writing anything in the project. Afterwards, the files that
 * changed are the vetted ones the install writes back.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { chownTree } from '../run/fs-ownership.js';
import type { UserAccount } from '../run/users.js';
import { packageFolders, stageProject, type VettedFile } from './run-npm-install.js';

const manifestFiles = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json'];

export interface Scratch {
  /** The project's copy, where the resolver runs. */
  project: string;
  /** Where a folder of the real file system sits in the scratch copy (it must be inside the copied tree). */
  translate(path: string): string;
  /** Manifests and lockfiles that differ from the project's, relative to the project. */
  changedFiles(): VettedFile[];
  remove(): void;
}

export function makeScratch(projectDir: string, user: UserAccount | undefined, extraFolders: string[] = []): Scratch {
  const area = mkdtempSync(join(tmpdir(), 'safe-npm-resolve-'));
  chmodSync(area, 0o700);
  const owner = user ?? { name: 'self', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, home: '' };
  // Folders named by `file:` specs on the command line keep their place relative to the project.
  const stage = stageProject(projectDir, area, owner, { withNodeModules: false, name: 'scratch', extraFolders });
  chownTree(area, owner.uid, owner.gid);
  return {
    project: stage.project,
    translate: (path) => join(stage.root, relative(stage.sourceRoot, path)),
    changedFiles() {
      const out: VettedFile[] = [];
      for (const dir of packageFolders(stage.project)) {
        const rel = relative(stage.project, dir);
        if (rel.startsWith('..') || rel.split(sep).includes('node_modules')) continue;
        for (const file of manifestFiles) {
          const staged = join(dir, file);
          if (!existsSync(staged)) continue;
          const content = readFileSync(staged);
          const original = join(projectDir, rel, file);
          if (existsSync(original) && readFileSync(original).equals(content)) continue;
          out.push({ path: join(rel, file), content });
        }
      }
      return out;
    },
    remove() {
      rmSync(area, { recursive: true, force: true });
    },
  };
}
