/**
 * A popular name with its version digit left off (`urllib` for urllib3; `boto` for boto3 and
 * `beautifulsoup` for beautifulsoup4 would be, were those not the older projects' own names): the
 * name people remember is the library's, not its major version, so they type it without the digit,
 * and a squatter registers that name. Rule 6 never
 * counts a digit added or dropped (`ckeditor4` / ckeditor5 are a series), so this is its own rule,
 * and only for the very biggest names (the top MAX_RANK_FOR_VERSION_DROPPED): only a name
 * everybody installs is typed from memory. A version follows a word (urllib, boto, jinja); a digit
 * after an acronym belongs to the name of a standard (ASN.1 in `pyasn1`, SHA-1, MD5, UTF-8, HTTP/2),
 * and the acronym without it names another project as often (`pyasn`, an IP-to-ASN lookup). So the
 * name left, without a leading `py`/`python` (the language, not the project), must have
 * MIN_VERSION_DROPPED_LENGTH letters or more: acronyms are shorter (`asn`, `sha`, `utf`, `http`;
 * `json` is json5's own package).
 *
 * When the name without the digit is itself popular it is never flagged (a popular name never is),
 * and when it is in the list far below the versioned one, a look-alike of it already names the
 * series' current member (MIN_SERIES_RANK_RATIO in popular-names.ts).
 *
 * Measured: none more flagged among the 2,985 names below our PyPI list (`pyasn` for pyasn1 without
 * the acronym test), the 2,000 ordinary npm names or the npm list's tail.
 */

/** Only names this popular (rank) are typed from memory without their version digit. */
export const MAX_RANK_FOR_VERSION_DROPPED = 100;

/** The shortest name (separators and a leading `py`/`python` removed) left once the digit is dropped: shorter is an acronym. */
export const MIN_VERSION_DROPPED_LENGTH = 5;

const LANGUAGE_PREFIX = /^(?:python|py)/;

/** Whether `target` (separators removed) is `candidate` (separators removed) plus one trailing digit, after a word rather than an acronym. */
export function versionNumberDropped(candidate: string, target: string): boolean {
  if (target.length !== candidate.length + 1 || !target.startsWith(candidate)) return false;
  const digit = target.charCodeAt(target.length - 1);
  if (digit < 0x30 || digit > 0x39) return false;
  return candidate.replace(LANGUAGE_PREFIX, '').length >= MIN_VERSION_DROPPED_LENGTH;
}
