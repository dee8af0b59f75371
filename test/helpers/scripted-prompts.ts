/** Prompts that answer from a script, in order, and record what was asked; an unexpected prompt THROWS. */
import type { PackageAnswer, Prompts } from '../../src/ui/prompts.js';

export function scriptedPrompts(script: { answers?: PackageAnswer[]; confirms?: boolean[] } = {}) {
  const answers = [...(script.answers ?? [])];
  const confirms = [...(script.confirms ?? [])];
  /** Names of the packages asked about, in order. */
  const asked: string[] = [];
  /** Messages of the yes/no questions, in order. */
  const confirmed: string[] = [];
  const prompts: Prompts = {
    async askAboutPackage(report) {
      asked.push(report.name);
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
  return { prompts, asked, confirmed };
}
