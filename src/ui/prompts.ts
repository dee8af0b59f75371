/**
 * The only importer of inquirer. Every prompt maps Ctrl-C (ExitPromptError) to Cancelled.
 * Prompts render on stderr so stdout stays clean for tools that read it.
 */
import { Cancelled } from '../core/errors.js';
import type { Finding, PackageReport } from '../core/types.js';
import { reportHead } from './format-report.js';
import { neutralize, neutralizeLines } from './neutralize.js';

/** `install-all`: install this one and accept every package still to be asked about in this round. */
export type PackageAnswer = 'install' | 'install-and-trust' | 'install-all' | 'substitute' | 'skip' | 'abort';

export interface PackageQuestion {
  /** A dependency of what was asked for: it can be accepted or the install aborted, not skipped. */
  transitive?: boolean;
  /** What "always trust" records (default: the report's name). */
  trust?: string;
  /** How many flagged packages follow that "install all" would accept too (0: not offered). */
  others?: number;
  /** false: installing cannot work or is never allowed (not found, unverifiable, known malicious). */
  installable?: boolean;
}

export interface Prompts {
  askAboutPackage(report: PackageReport, open: Finding[], suggestion: string | undefined, options?: PackageQuestion): Promise<PackageAnswer>;
  /** Checkbox: which of these items to approve; returns the chosen ids. */
  chooseApprovals(message: string, items: Array<{ id: string; label: string; checked?: boolean }>): Promise<string[]>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
}

async function inquirerPrompt(question: Record<string, unknown>): Promise<unknown> {
  const { default: inquirer } = await import('inquirer');
  const prompt = inquirer.createPromptModule({ output: process.stderr });
  try {
    const answers = await prompt([{ ...question, name: 'value' } as never]);
    return (answers as { value: unknown }).value;
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError' || (error as Error).name === 'AbortPromptError') throw new Cancelled('cancelled at the prompt');
    throw error;
  }
}

/** The answers offered for one flagged package, in order (the first is the default). */
export function packageChoices(report: PackageReport, suggestion: string | undefined, options: PackageQuestion = {}): Array<{ name: string; value: PackageAnswer }> {
  const installable = options.installable !== false;
  const others = options.others ?? 0;
  return [
    ...(suggestion && !options.transitive ? [{ name: neutralize(`Install "${suggestion}" instead`), value: 'substitute' as const }] : []),
    ...(options.transitive ? [] : [{ name: 'Skip this package', value: 'skip' as const }]),
    ...(installable ? [{ name: 'Install anyway', value: 'install' as const }] : []),
    ...(installable && others > 0 ? [{ name: `Install anyway, and the ${others} other flagged package${others === 1 ? '' : 's'} after it too`, value: 'install-all' as const }] : []),
    ...(installable ? [{ name: neutralize(`Install anyway and always trust ${options.trust ?? report.name}`), value: 'install-and-trust' as const }] : []),
    { name: 'Abort (nothing is changed)', value: 'abort' as const },
  ];
}

/** The question for one flagged package, naming it as its report did (with the version that would be installed). */
export function packageQuestionText(report: PackageReport, open: readonly Finding[]): string {
  const worst = open.some((f) => f.severity === 'block') ? 'block' : 'warn';
  return neutralize(`${reportHead(report)}: ${worst === 'block' ? 'flagged' : 'needs a look'} — what should happen?`);
}

export const inquirerPrompts: Prompts = {
  async askAboutPackage(report, open, suggestion, options = {}) {
    const choices = packageChoices(report, suggestion, options);
    return (await inquirerPrompt({
      type: 'select',
      message: packageQuestionText(report, open),
      choices,
      default: choices[0]!.value,
    })) as PackageAnswer;
  },
  async chooseApprovals(message, items) {
    return (await inquirerPrompt({
      type: 'checkbox',
      message: neutralize(message),
      choices: items.map((i) => ({ name: neutralize(i.label), value: i.id, checked: i.checked ?? false })),
    })) as string[];
  },
  async confirm(message, defaultValue) {
    // Our own lines may span several (npx's question): newlines are kept, everything else neutralized.
    return (await inquirerPrompt({ type: 'confirm', message: neutralizeLines(message), default: defaultValue })) as boolean;
  },
};
