/**
 * Run an async section with the effective uid/gid of another user, so that files it creates (the
 * npm cache entries the check fetches) belong to the user who installs next. Root only; everything
 * the section needs from root-only places must be loaded before.
 */
export async function asEffectiveUser<T>(user: { uid: number; gid: number } | undefined, fn: () => Promise<T>): Promise<T> {
  if (!user || typeof process.seteuid !== 'function' || process.geteuid?.() !== 0 || user.uid === 0) return fn();
  process.setegid!(user.gid);
  process.seteuid(user.uid);
  try {
    return await fn();
  } finally {
    process.seteuid(0);
    process.setegid!(0);
  }
}

/**
 * Run synchronous code with another user's effective uid, gid and groups (root only): what it does
 * to the file system is checked against that user's rights, as if they did it. For root's work in a
 * folder that user owns — they could redirect its path to any folder of root's, and root, acting as
 * itself, would write there; as them, it cannot. Synchronous, so that nothing else runs meanwhile.
 */
export function asUserSync<T>(user: { uid: number; gid: number } | undefined, fn: () => T): T {
  if (!user || process.geteuid?.() !== 0 || user.uid === 0 || typeof process.seteuid !== 'function') return fn();
  const groups = process.getgroups!();
  process.setgroups!([user.gid]);
  process.setegid!(user.gid);
  process.seteuid(user.uid);
  try {
    return fn();
  } finally {
    process.seteuid(0);
    process.setegid!(0);
    process.setgroups!(groups);
  }
}
