/**
 * PEP 503 name normalization: lower-case, and every run of `-`, `_` and `.` becomes one `-`.
 * Two PyPI names are the same project exactly when their normalized forms are equal.
 */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** A valid project name (PEP 508): letters and digits, with `.`, `_` and `-` inside. */
export function isPypiProjectName(name: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name);
}
