import { describe, expect, it } from 'vitest';
import { relocateLockfileText } from '../../../src/npm/staged-lockfile-paths.js';

describe('staged lockfile paths', () => {
  const stageRoot = '/tmp/area/stage/work';
  const staged = '/tmp/area/stage/work/p';
  const live = '/srv/work/p';

  it('makes a path to a folder outside the staging copy relative from the project, keys, link targets and v2 file: versions alike, formatting kept', () => {
    const text = `{\n  "name": "p",\n  "lockfileVersion": 2,\n  "packages": {\n    "": {\n      "dependencies": {\n        "tool": "file:/opt/lib/tool"\n      }\n    },\n    "../../../../../opt/lib/tool": {\n      "version": "1.0.0"\n    },\n    "node_modules/tool": {\n      "resolved": "../../../../../opt/lib/tool",\n      "link": true\n    }\n  },\n  "dependencies": {\n    "tool": {\n      "version": "file:../../../../../opt/lib/tool"\n    }\n  }\n}\n`;
    const out = relocateLockfileText(text, staged, live, stageRoot);
    expect(out).toBe(text.split('../../../../../opt/lib/tool').join('../../../opt/lib/tool'));
    expect(out).toContain('"tool": "file:/opt/lib/tool"');
  });

  it("leaves paths inside the staging copy (file:../x, workspaces) and anything not npm's alone", () => {
    const text = '{"packages":{"":{},"../beside":{"version":"1.0.0"},"node_modules/beside":{"resolved":"../beside","link":true},"packages/a":{}}}';
    expect(relocateLockfileText(text, staged, live, stageRoot)).toBe(text);
    expect(relocateLockfileText('not json', staged, live, stageRoot)).toBe('not json');
  });
});
