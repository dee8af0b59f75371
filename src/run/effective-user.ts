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
