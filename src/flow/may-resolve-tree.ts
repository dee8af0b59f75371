/**
 * Whether a command will probably resolve a tree with npm's engine. A module of its own: the early
 * engine asks before the rest of the flow is loaded (each module loaded then delays npm's engine).
 */
import type { NpmInvocation } from '../npm/npm-invocation.js';

/** Whether this command will probably resolve a tree (npm's config may still say otherwise). */
export function mayResolveTree(invocation: NpmInvocation): boolean {
  if (invocation.global || invocation.workspaces !== false) return false;
  // `link <pkg>`: the project's half (npm-link.ts) resolves in the project once the global half is
  // done; its engine loads meanwhile. A bare `npm link` is the global half alone.
  if (invocation.kind === 'link') return invocation.specs.length > 0;
  return ['install', 'update', 'install-test', 'ci', 'install-ci-test', 'reify'].includes(invocation.kind);
}
