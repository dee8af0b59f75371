import type { Check } from '../core/types.js';

const label: Record<string, string> = {
  git: 'a git repository',
  remote: 'a URL',
  file: 'a local archive',
  directory: 'a local folder',
  unknown: 'a source other than the registry',
};

/** Code from git, URLs or local paths cannot be vetted from registry metadata. */
export const nonRegistrySource: Check = {
  id: 'non-registry-source',
  title: 'source',
  needsNetwork: false,
  run(facts) {
    if (facts.source === 'registry') return [];
    return [{
      check: 'non-registry-source',
      severity: 'warn',
      message: `"${facts.requested}" comes from ${label[facts.source] ?? label.unknown}, not the registry: its code cannot be vetted from registry metadata`,
    }];
  },
};
