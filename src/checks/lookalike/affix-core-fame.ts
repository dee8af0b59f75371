/**
 * PyPI: a name made of `py`/`python` and another popular name (`pytorch`: py + torch) is as famous
 * as that name. A library is often known by a name with `py` (PyTorch, PyYAML, PyJWT) while its
 * project is installed or imported by the core's name (`torch`, `yaml`, `jwt`), so the `py` name's
 * own downloads understate how widely it is known: `pytorch` is ranked near 8,000 on PyPI, `torch`
 * near 300. For the bar an unlikely slip must clear (the top 5,000 on PyPI, maxRankForUnlikelyEdit)
 * such a name counts by the better of the two ranks: `pythrch` for pytorch.
 *
 * Only the affix words of Python bindings (not `dev`), and a core of 5 letters or more (shorter
 * cores are words: `pygame` is not "game"). PyPI only: npm's `node`/`js` affixes name a port, not
 * the brand of the core. Measured on the 2,985 names below our PyPI list: none more flagged.
 */

/** The affix words of Python bindings, as in popular-names.ts's PyPI affixes without `dev`. */
const PY_AFFIXES = ['python3', 'python', 'py3', 'py'];

/** The shortest core (separators removed) that lends its fame. */
export const MIN_FAMOUS_CORE_LENGTH = 5;

/** The names left when a leading or trailing `py`, `py3`, `python`, `python3` is taken off a name without separators. */
export function pyCores(stripped: string): string[] {
  const out: string[] = [];
  // The longest affix that fits, on each side (`pythonfoo` is python + foo, not py + thonfoo).
  const prefix = PY_AFFIXES.find((a) => stripped.startsWith(a));
  if (prefix) pushCore(out, stripped.slice(prefix.length));
  const suffix = PY_AFFIXES.find((a) => stripped.endsWith(a));
  if (suffix) pushCore(out, stripped.slice(0, -suffix.length));
  return out;
}

function pushCore(out: string[], core: string): void {
  if (core.length >= MIN_FAMOUS_CORE_LENGTH && !out.includes(core)) out.push(core);
}
