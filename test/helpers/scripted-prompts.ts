/** Prompts that answer from a script, in order, and record what was asked; an unexpected prompt THROWS. */
import type { PackageAnswer, PackageQuestion, Prompts } from '../../src/ui/prompts.js';

export function scriptedPrompts(script: { answers?: PackageAnswer[]; confirms?: boolean[] } = {}) {
  const answers = [...(script.answers ?? [])];
  const confirms = [...(script.confirms ?? [])];
  /** Names of the packages asked about, in order, and the options each was asked with. */
  const asked: string[] = [];
  /** What each package question offered (trust target, "install all", installable). */
  const questions: Array<PackageQuestion | undefined> = [];
  /** Messages of the yes/no questions, in order. */
  const confirmed: string[] = [];
  const prompts: Prompts = {
    async askAboutPackage(report, _open, _suggestion, options) {
      asked.push(report.name);
      questions.push(options);
      const a = answers.shift();
      if (!a) throw new Error(`unexpected prompt for ${report.name}`);
      return a;
    },
    async chooseApprovals() {
      throw new Error('unexpected checkbox');
    },
    async confirm(message) {
      confirmed.push(message);
      const c = confirms.shift();
      if (c === undefined) throw new Error(`unexpected confirm: ${message}`);
      return c;
    },
  };
  return { prompts, asked, confirmed, questions };
}
