/**
 * Who runs npm, and where: pure decision from who we are and who owns the project.
 * - not root: npm runs as us, in place;
 * - root, project owned by an ordinary user: npm (and the approved scripts) run as that user, in place;
 * - root, project owned by root (or -g): npm's engine runs as the install identity in a staging copy
 *   it owns; the result is handed to root in one commit; approved scripts run as the script identity
 *   (see run/build-identity.ts).
 */
import { UsageError } from '../core/errors.js';
import type { BuildIdentities } from '../run/build-identity.js';
import type { UserAccount } from '../run/users.js';

export type InstallMode =
  | { kind: 'self' }
  | { kind: 'as-owner'; user: UserAccount; scriptUser: UserAccount }
  | { kind: 'staging'; user: UserAccount; scriptUser: UserAccount; dedicated: boolean }
  | { kind: 'staging-global'; user: UserAccount; scriptUser: UserAccount; dedicated: boolean };

export function chooseInstallMode(input: {
  euid: number;
  projectOwnerUid: number;
  global: boolean;
  lookup: (nameOrUid: string | number) => UserAccount | undefined;
  /** The install and script identities (created on first use: only asked for when needed). */
  identities: () => BuildIdentities;
  /** Their names (runAsUser, scriptUser): a project they own is refused. */
  identityNames: string[];
}): InstallMode {
  if (input.euid !== 0) return { kind: 'self' };
  const staged = (kind: 'staging' | 'staging-global'): InstallMode => {
    const ids = input.identities();
    return { kind, user: ids.install, scriptUser: ids.scripts, dedicated: ids.dedicated };
  };
  if (input.global) return staged('staging-global');
  if (input.projectOwnerUid !== 0) {
    const owner = input.lookup(input.projectOwnerUid);
    if (owner && owner.uid !== 0) {
      if (input.identityNames.includes(owner.name)) {
        // Its files would be the identity's own: scripts could then write what root's installs read.
        throw new UsageError(`this project belongs to "${owner.name}", safe-npm's own build user: give it to its real owner (chown -R <user> .)`);
      }
      return { kind: 'as-owner', user: owner, scriptUser: owner };
    }
  }
  return staged('staging');
}

/** Whether a worker spawned for `a` can do the work decided as `b` (same user; same hand-over). */
export function sameInstallMode(a: InstallMode, b: InstallMode): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'self' || b.kind === 'self') return true;
  const dedicated = (m: InstallMode) => ('dedicated' in m ? m.dedicated : undefined);
  return a.user.uid === b.user.uid && a.user.gid === b.user.gid && dedicated(a) === dedicated(b);
}
