import type { Check } from '../core/types.js';

const label: Record<string, string> = {
  git: 'a git repository',
  remote: 'a URL',
  file: 'a local archive',
  directory: 'a local folder',
  unknown: 'a source other than the registry',
};

/**
 * Code from git, URLs or local paths cannot be vetted from registry metadata. Git and URLs are
 * someone else's content, fetched now (a mistyped repository is a squat too): a warning, asked. A
 * local folder or archive the user named (`npm i -g .`, `npx -p ./x.tgz`, `npm link`, a `file:`
 * dependency of the project itself) is what they have on disk: no look-alike of anything, and what
 * it brings and the scripts it would run are vetted like any other package's. Said (info), not
 * asked: asking stopped every install of one's own folder in CI, while root's `npm link` of the
 * same folder went through. A path met deeper in the tree (a dependency's own `file:` spec) was
 * named by someone else: still a warning.
 */
export const nonRegistrySource: Check = {
  id: 'non-registry-source',
  title: 'source',
  needsNetwork: false,
  run(facts) {
    if (facts.source === 'registry') return [];
    const named = (facts.dependencyPath?.length ?? 0) <= 1;
    const local = named && (facts.source === 'file' || facts.source === 'directory');
    return [{
      check: 'non-registry-source',
      severity: local ? 'info' : 'warn',
      message: local
        ? `"${facts.requested}" comes from ${label[facts.source]}: vetted by what it brings and the scripts it would run, not by registry metadata`
        : `"${facts.requested}" comes from ${label[facts.source] ?? label.unknown}, not the registry: its code cannot be vetted from registry metadata`,
    }];
  },
};
