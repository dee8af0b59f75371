/**
 * One argument of a command we advise ("run: safe-pip install requests"), written so that pasting the
 * line into a shell passes it as one word and runs nothing else: as is when it is plain, else in
 * single quotes. Requirements, URLs and paths come from the command line and from package metadata
 * (`reqeusts;platform_machine!="$(touch /tmp/x)"` was printed bare: pasted, it ran the `$(…)`).
 */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9@%+=:,./_^-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Several arguments, each a shell word. */
export function shellWords(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}
