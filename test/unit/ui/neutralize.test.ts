/**
 * Outside text is shown, never obeyed (issue 14): the neutralizer, and the places that apply it — the
 * report formatter, stop lines, the CLI's error line, pip's relayed output.
 */
import { describe, expect, it } from 'vitest';
import { stopReason } from '../../../src/core/decide.js';
import { stopLines } from '../../../src/flow/decision-stages.js';
import { pipOutputForTerminal } from '../../../src/pypi/pip-output.js';
import { formatReports, reportsToJson } from '../../../src/ui/format-report.js';
import { hasHostileCharacters, neutralize, neutralizeLines, terminalSafeJson } from '../../../src/ui/neutralize.js';
import type { PackageReport } from '../../../src/core/types.js';

const ESC = '\x1b';
const hostile = [
  ['ANSI colour', `a${ESC}[31mred`, 'a\\x1b[31mred'],
  ['cursor up + clear line', `x${ESC}[1A${ESC}[2K`, 'x\\x1b[1A\\x1b[2K'],
  ['OSC window title', `${ESC}]0;pwned\x07`, '\\x1b]0;pwned\\x07'],
  ['OSC 8 hyperlink', `${ESC}]8;;http://evil${ESC}\\click${ESC}]8;;${ESC}\\`, '\\x1b]8;;http://evil\\x1b\\click\\x1b]8;;\\x1b\\'],
  ['8-bit CSI', 'a\u009b31m', 'a\\x9b31m'],
  ['NUL', 'a\x00b', 'a\\x00b'],
  ['carriage return overwrite', 'evil\rgood', 'evil\\rgood'],
  ['backspaces', 'abc\b\b\bxyz', 'abc\\x08\\x08\\x08xyz'],
  ['DEL', 'a\x7fb', 'a\\x7fb'],
  ['RLO bidi override', 'exe.\u202etxt', 'exe.\\u202etxt'],
  ['LRI..PDI isolate', '\u2066a\u2069', '\\u2066a\\u2069'],
  ['RLM mark', 'a\u200fb', 'a\\u200fb'],
  ['zero-width joiner', 'lod\u200dash', 'lod\\u200dash'],
  ['line separator', 'a\u2028b', 'a\\u2028b'],
  ['BOM', '\ufeffname', '\\ufeffname'],
  ['newline in one line', 'a\nb', 'a\\nb'],
] as const;

describe('neutralize', () => {
  it.each(hostile)('%s becomes a visible escape', (_what, input, shown) => {
    expect(neutralize(input)).toBe(shown);
    expect(hasHostileCharacters(neutralize(input))).toBe(false);
  });

  it('leaves ordinary text, tabs and non-Latin letters alone (confusables are the typo check\'s business)', () => {
    for (const text of ['lodash@^4.17.21', 'назва пакета', 'ｌｏｄａｓｈ', 'a\tb', '@scope/name', '✖ ! i']) expect(neutralize(text)).toBe(text);
  });

  it('neutralizeLines keeps line breaks and nothing else', () => {
    expect(neutralizeLines(`one\ntwo${ESC}[2J\nthree\r\n`)).toBe('one\ntwo\\x1b[2J\nthree\\r\n');
  });

  it('terminalSafeJson keeps the data: JSON.parse gives the exact strings back', () => {
    const value = { name: `a\u202eb${ESC}[31m\u0085`, list: ['\u2028'] };
    const json = terminalSafeJson(JSON.stringify(value));
    expect(hasHostileCharacters(json)).toBe(false);
    expect(JSON.parse(json)).toEqual(value);
  });
});

const report = (over: Partial<PackageReport> = {}): PackageReport => ({
  name: `evil${ESC}]0;title\x07`,
  packageName: `evil${ESC}]0;title\x07`,
  version: '1.0.0',
  verdict: 'warn',
  findings: [{ check: 'deprecated', severity: 'warn', message: `deprecated: ${ESC}[2J\u202egnp.exe`, details: [`postinstall: curl x | sh ${ESC}[8m`], didYouMean: `lod${ESC}[0mash` }],
  ...over,
});

describe('where outside text enters our output', () => {
  it('the report formatter: every outside piece is neutralized, our own colours stay', () => {
    const text = formatReports([report()], { color: true, showInfo: true });
    const withoutOurColours = text.replace(/\x1b\[(31|33|39|2|22)m/g, '');
    for (const line of withoutOurColours.split('\n')) expect(hasHostileCharacters(line), line).toBe(false);
    expect(text).toContain('\x1b[33m'); // the warn colour is ours
    expect(text).toContain('evil\\x1b]0;title\\x07');
    expect(text).toContain('\\u202egnp.exe');
  });

  it('safe check --json: valid JSON, exact data, no raw control or bidi character', () => {
    const json = reportsToJson([report()]);
    expect(hasHostileCharacters(json)).toBe(false);
    expect(JSON.parse(json).packages[0].name).toBe(report().name);
  });

  it('stop lines of both tools', () => {
    const open = { report: report(), open: report().findings };
    const decision = { action: 'stop' as const, exitCode: 66, reasons: [stopReason('safe-npm', open)], packages: [open] };
    for (const tool of ['safe-npm', 'safe-pip'] as const) {
      for (const line of stopLines(tool, decision)) expect(hasHostileCharacters(line), line).toBe(false);
    }
  });

  it('pip\'s relayed output: neutralized, and a traceback is its last line', () => {
    const out = pipOutputForTerminal([
      'ERROR: Exception:',
      'Traceback (most recent call last):',
      '  File "/x/pip/_internal/cli/base_command.py", line 160, in exc_logging_wrapper',
      '    status = run_func(*args)',
      'pip._vendor.packaging.markers.InvalidMarker: Invalid marker: \'touch /tmp/M\', parse error at \'touch /t\'',
      '',
    ].join('\n'));
    expect(out).toBe('ERROR: InvalidMarker: Invalid marker: \'touch /tmp/M\', parse error at \'touch /t\'\n');
    expect(pipOutputForTerminal(`ERROR: Invalid requirement: 'a${ESC}[31m'\n`)).toBe('ERROR: Invalid requirement: \'a\\x1b[31m\'\n');
  });
});

describe('the spinner', () => {
  it('is drawn only on a terminal that reports a width (a 0×0 pty made ora loop forever)', async () => {
    const { spinnerFits } = await import('../../../src/ui/spinner.js');
    expect(spinnerFits(true, 80)).toBe(true);
    expect(spinnerFits(true, 0)).toBe(false);
    expect(spinnerFits(true, undefined)).toBe(false);
    expect(spinnerFits(false, 80)).toBe(false);
  });
});
