/**
 * PEP 503 name normalization: lower-case, and every run of `-`, `_` and `.` becomes one `-`.
 * Two PyPI names are the same project exactly when their normalized forms are equal.
 */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}
