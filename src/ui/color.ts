/**
 * Whether our reports are coloured: only on a terminal, and never when the user said no
 * (NO_COLOR, any non-empty value: no-color.org; FORCE_COLOR=0 or false, as Node and npm read it).
 */
export function wantsColor(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && /^(0|false)$/i.test(env.FORCE_COLOR.trim())) return false;
  return isTTY;
}
