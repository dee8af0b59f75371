/**
 * Rule 6d (two slips at once) for the very biggest names: the more popular a name, the further
 * from it a squat can sit and still be taken for it (`reqest` for requests: a letter left out that
 * no slip explains, and the plural "s"). Against the top MAX_RANK_FOR_ONE_UNLIKELY_OF_TWO names, one
 * of the two changes may be an unlikely one, as long as the other is a plausible slip; rule 6d's other
 * guards hold (7 letters or more, no word boundary the target lacks: `sec-parser` is not pycparser),
 * and two letters added together at the end are an ending, not two slips (`markdown-it-pyrs`, the
 * Rust port of markdown-it-py).
 *
 * PyPI only: npm's top names are short and crowded (`react-is`, `commander`, `entities`), and the
 * tail of our own npm list held against its first 12,000 names had 6 of 8,000 real packages flagged
 * (`react-fit`, `react-ga`, `commoner`, `maximatch`, ...) for no look-alike found; PyPI's tail, none.
 */
import type { SingleEdit } from './edit.js';

/** The names this popular (rank) take two changes of which only one is a plausible slip. */
export const MAX_RANK_FOR_ONE_UNLIKELY_OF_TWO = 100;

/**
 * Whether two changes from the target at `rank` make a look-alike of `candidate`: `slips` of them are
 * plausible slips; `first` turns the candidate into an intermediate name, `second` that into the target.
 */
export function enoughSlips(rank: number, slips: number, first: SingleEdit, second: SingleEdit, candidate: string): boolean {
  if (slips === 2) return true;
  return slips === 1 && rank < MAX_RANK_FOR_ONE_UNLIKELY_OF_TWO && !endingAdded(first, second, candidate);
}

/** Two letters added side by side at the end of the candidate (`-rs`, `-ts`): an ending of its own. */
function endingAdded(first: SingleEdit, second: SingleEdit, candidate: string): boolean {
  return first.kind === 'added' && second.kind === 'added' && first.at >= candidate.length - 2 && second.at >= candidate.length - 2;
}
