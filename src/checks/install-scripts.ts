import type { Check, Finding } from '../core/types.js';

/**
 * npm: the version has install-time scripts. They never run unapproved (we install with scripts
 * off and replay only vetted ones), so this is information, with the script text.
 * PyPI: only a source distribution exists, so installing means running its build code.
 */
export const installScripts: Check = {
  id: 'install-scripts',
  title: 'install-time code',
  needsNetwork: true,
  run(facts) {
    const out: Finding[] = [];
    const scripts = facts.installScripts ?? {};
    const events = Object.keys(scripts);
    if (events.length > 0) {
      out.push({
        check: 'install-scripts',
        severity: 'info',
        message: `${facts.name}${facts.version ? `@${facts.version}` : ''} has install scripts (${events.join(', ')}); they run only if you approve them`,
        details: events.map((e) => `${e}: ${scripts[e]}`),
      });
    }
    if (facts.sdistOnly) {
      out.push({
        check: 'install-scripts',
        severity: 'info',
        message: `${facts.name}${facts.version ? `==${facts.version}` : ''} has only a source distribution: installing it runs its build code`,
      });
    }
    return out;
  },
};
