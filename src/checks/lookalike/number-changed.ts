/**
 * A name that ends in a number, with the number changed (`bip30` for bip39, `js-sha7` for js-sha3).
 * Digits alone were never a slip (`ckeditor4` and `ckeditor5` are a series), but a series counts
 * one by one: the neighbouring number is the previous or next major (`vue2`/`vue3`, `ckeditor4`/
 * `ckeditor5`), a number further away names nothing of the series and imitates the popular one.
 * Same count of digits (`es5` / `es2015` are different things), and only against names this popular.
 * A number can name a standard or an algorithm as well (`base58` next to base-64, `crc16` next to
 * crc-32), which a name alone cannot tell: the check warns rather than blocks (the match is `weak`),
 * and online an established package is information only.
 *
 * npm only: on PyPI numbers in names are standards and versions as often as series members
 * (`pyrfc6266`/`pyrfc3339`, `pep562`/`pep517`, `zipfile38`/`zipfile36`): 5 of the 2,985 names below
 * our PyPI list would be flagged.
 */

/** Only names this popular (rank) are imitated by a changed number. */
export const MAX_RANK_FOR_NUMBER_CHANGED = 10_000;

/** A name (separators removed) as the letters before its trailing number and the number, if it ends in one after a letter. */
export function trailingNumber(stripped: string): { stem: string; digits: string } | undefined {
  let end = stripped.length;
  while (end > 0 && stripped.charCodeAt(end - 1) >= 0x30 && stripped.charCodeAt(end - 1) <= 0x39) end--;
  const last = stripped.charCodeAt(end - 1);
  if (end === stripped.length || !(last >= 0x61 && last <= 0x7a)) return undefined;
  return { stem: stripped.slice(0, end), digits: stripped.slice(end) };
}

/**
 * Whether `candidate`'s trailing number replaces `target`'s by one that is neither equal nor a
 * neighbour, with as many digits (both separators removed, same stem already checked by the caller).
 */
export function numberChangedAway(candidateDigits: string, targetDigits: string): boolean {
  if (candidateDigits.length !== targetDigits.length || candidateDigits === targetDigits) return false;
  return Math.abs(Number(candidateDigits) - Number(targetDigits)) > 1;
}
