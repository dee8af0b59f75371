/** What root's guarded `npm uninstall` counts as a package npm would unpack (arborist's own Diff). */
import { describe, expect, it } from 'vitest';
import { packagesWritten, type DiffLike } from '../../../src/npm/removal-guard.js';

const node = (action: DiffLike['action'], location: string, isLink = false, children: DiffLike[] = []): DiffLike => ({ action, ideal: action === 'REMOVE' ? null : { location, isLink }, children });

describe('packagesWritten', () => {
  it('a removal only, or nothing to do: nothing unpacked', () => {
    expect(packagesWritten(node(null, '', false, [node('REMOVE', 'node_modules/lodash'), node(null, 'node_modules/express')]))).toEqual([]);
  });

  it('a package added or changed anywhere in the tree is written, a link (a local folder: its bins are linked and chmod-ed) too', () => {
    const diff = node(null, '', false, [
      node('REMOVE', 'node_modules/lodash'),
      node('ADD', 'node_modules/left-pad'),
      node('ADD', 'node_modules/local', true),
      node(null, 'node_modules/a', false, [node('CHANGE', 'node_modules/a/node_modules/b')]),
    ]);
    expect(packagesWritten(diff)).toEqual(['node_modules/left-pad', 'node_modules/local', 'node_modules/a/node_modules/b']);
  });
});
