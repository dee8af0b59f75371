import { describe, expect, it } from 'vitest';
import { shellWord, shellWords } from '../../../src/ui/shell-word.js';

describe('shellWord: advice that is pasted into a shell runs what it says, nothing else', () => {
  it('leaves plain words as they are', () => {
    expect(shellWords(['install', 'requests', '@scope/pkg@1.0.0', 'x==1.0', './local/folder', 'https://example.com/a.tar.gz'])).toBe('install requests @scope/pkg@1.0.0 x==1.0 ./local/folder https://example.com/a.tar.gz');
  });
  it('quotes anything a shell would read otherwise, a single quote included', () => {
    expect(shellWord('requests;platform_machine!="$(touch /tmp/PWNED)"')).toBe(`'requests;platform_machine!="$(touch /tmp/PWNED)"'`);
    expect(shellWord('requests>=2')).toBe(`'requests>=2'`);
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(shellWord('a b')).toBe(`'a b'`);
    expect(shellWord('`id`')).toBe("'`id`'");
  });
});
