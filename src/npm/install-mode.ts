/**
 * Who runs npm, and where: pure decision from who we are and who owns the project.
 * - not root: npm runs as us, in place;
 * - root, project owned by an ordinary user: npm runs as that user, in place;
 * - root, project owned by root (or -g): npm runs as the unprivileged run-as user in a staging
 *   copy it owns; the result is copied back and belongs to root again.
 */
import type { UserAccount } from '../run/users.js';

export type InstallMode =
  | { kind: 'self' }
  | { kind: 'as-owner'; user: UserAccount }
  | { kind: 'staging'; user: UserAccount }
  | { kind: 'staging-global'; user: UserAccount };

export function chooseInstallMode(input: {
  euid: number;
  projectOwnerUid: number;
  global: boolean;
  lookup: (nameOrUid: string | number) => UserAccount | undefined;
  runAsUser: string;
}): InstallMode {
  if (input.euid !== 0) return { kind: 'self' };
  const runAs = () => {
    const user = input.lookup(input.runAsUser);
    if (!user) throw new Error(`run-as user "${input.runAsUser}" does not exist (set it with: safe-npm safe config set runAsUser <user>)`);
    if (user.uid === 0) throw new Error(`run-as user "${input.runAsUser}" is root; choose an unprivileged user`);
    return user;
  };
  if (input.global) return { kind: 'staging-global', user: runAs() };
  if (input.projectOwnerUid !== 0) {
    const owner = input.lookup(input.projectOwnerUid);
    if (owner && owner.uid !== 0) return { kind: 'as-owner', user: owner };
  }
  return { kind: 'staging', user: runAs() };
}
