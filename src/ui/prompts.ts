/**
 * The only importer of inquirer. Every prompt maps Ctrl-C (ExitPromptError) to Cancelled.
 * Prompts render on stderr so stdout stays clean for tools that read it.
 */
import { Cancelled } from '../core/errors.js';
import type { Finding, PackageReport } from '../core/types.js';
import { neutralize } from './neutralize.js';

export type PackageAnswer = 'install' | 'install-and-trust' | 'substitute' | 'skip' | 'abort';

export interface Prompts {
  /** `transitive`: a dependency of what was asked for — it can be accepted or the install aborted, not skipped. */
  askAboutPackage(report: PackageReport, open: Finding[], suggestion: string | undefined, options?: { transitive?: boolean }): Promise<PackageAnswer>;
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

export const inquirerPrompts: Prompts = {
  async askAboutPackage(report, open, suggestion, options = {}) {
    const worst = open.some((f) => f.severity === 'block') ? 'block' : 'warn';
    const choices = [
      ...(suggestion && !options.transitive ? [{ name: neutralize(`Install "${suggestion}" instead`), value: 'substitute' }] : []),
      ...(options.transitive ? [] : [{ name: 'Skip this package', value: 'skip' }]),
      { name: 'Install anyway', value: 'install' },
      { name: neutralize(`Install anyway and always trust "${report.name}"`), value: 'install-and-trust' },
      { name: 'Abort (nothing is changed)', value: 'abort' },
    ];
    return (await inquirerPrompt({
      type: 'select',
      message: neutralize(`${report.name}: ${worst === 'block' ? 'flagged' : 'needs a look'} — what should happen?`),
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
    return (await inquirerPrompt({ type: 'confirm', message: neutralize(message), default: defaultValue })) as boolean;
  },
};
