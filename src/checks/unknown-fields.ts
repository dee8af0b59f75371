import type { Check } from '../core/types.js';

/** Registries and mirrors strip fields; say which facts are unknown instead of passing silently. */
export const unknownFields: Check = {
  id: 'unknown-fields',
  title: 'facts the registry did not provide',
  needsNetwork: true,
  run(facts) {
    if (!facts.unknownFields?.length) return [];
    return [{ check: 'unknown-fields', severity: 'info', message: `the registry did not provide: ${facts.unknownFields.join(', ')} (unknown, not checked)` }];
  },
};
