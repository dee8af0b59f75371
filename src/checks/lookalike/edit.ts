/** One edit between a candidate name and a popular one (shared by popular-names.ts and the look-alike rules). */
export type EditKind = 'swap' | 'changed' | 'missing' | 'added';

export interface SingleEdit {
  kind: EditKind;
  /** Where the edit is: the index in the candidate (for `missing`: where the target's character would go). */
  at: number;
  /** The candidate's character involved ('' when a letter is missing). */
  candidateChar: string;
  /** The target's character involved ('' when a letter was added). */
  targetChar: string;
}
