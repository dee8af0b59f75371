import type { Check, Finding } from '../core/types.js';

/** npm deprecation, PyPI yanked releases. */
export const deprecated: Check = {
  id: 'deprecated',
  title: 'deprecated or yanked',
  needsNetwork: true,
  run(facts) {
    const out: Finding[] = [];
    if (facts.deprecated) {
      out.push({ check: 'deprecated', severity: 'warn', message: `${facts.name}${facts.version ? `@${facts.version}` : ''} is deprecated: ${facts.deprecated}` });
    }
    if (facts.yanked) {
      const why = typeof facts.yanked === 'string' ? `: ${facts.yanked}` : '';
      out.push({ check: 'deprecated', severity: 'warn', message: `${facts.name}${facts.version ? `==${facts.version}` : ''} was yanked${why}` });
    }
    return out;
  },
};
