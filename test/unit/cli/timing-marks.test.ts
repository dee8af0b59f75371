import { afterEach, describe, expect, it, vi } from 'vitest';
import { timingMarks } from '../../../src/cli/timing-marks.js';

describe('timing marks (SAFE_NPM_TIMING=1)', () => {
  afterEach(() => vi.restoreAllMocks());

  const capture = () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    return written;
  };

  it('are off unless asked for', () => {
    expect(timingMarks({}, { received: () => undefined })).toBeUndefined();
  });

  it('say the label with the time since the process started', () => {
    const written = capture();
    timingMarks({ SAFE_NPM_TIMING: '1' }, { received: () => undefined })!('tree resolved');
    expect(written).toEqual([expect.stringMatching(/^safe-npm: \d+ ms tree resolved\n$/)]);
  });

  it('stay silent once an interrupt was received: the interrupt line is the last word', () => {
    const written = capture();
    let signal: NodeJS.Signals | undefined;
    const mark = timingMarks({ SAFE_NPM_TIMING: '1' }, { received: () => signal })!;
    mark('reified');
    signal = 'SIGINT';
    mark('tree installed');
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/ms reified\n$/);
  });
});
