/**
 * Text that came from outside (package names and specs, registry documents and error bodies,
 * deprecation messages, script text, file names, library and pip messages) is shown, never obeyed:
 * every character a terminal would act on instead of print becomes a visible escape.
 *
 * - C0 controls and DEL (ESC starts ANSI colours, cursor moves and OSC sequences such as window titles
 *   and hyperlinks; CR/BS overwrite what was printed; NUL; BEL);
 * - C1 controls (U+0080–U+009F: 8-bit CSI/OSC that some terminals honour);
 * - bidi overrides, embeddings, isolates and marks (a name can be made to read as another), the
 *   invisible joiners/separators and line/paragraph separators.
 *
 * Applied where such text enters our messages — never to our own colours, which are added after.
 * Pure; no imports.
 */

// C0 (tab kept: it moves the cursor forward only), DEL, C1, Arabic letter mark, zero-width
// space/joiners and LRM/RLM, line/paragraph separators, LRE..RLO, word joiner..PDI, BOM,
// interlinear annotation characters.
const HOSTILE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
const HOSTILE_OR_NEWLINE_KEPT = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

function escape(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of outside text, safe to print: control and bidi characters (newlines too) become `\xNN` / `\uNNNN`. */
export function neutralize(text: string): string {
  return text.replace(HOSTILE, escape);
}

/** Several lines of outside text (a tool's relayed output): as `neutralize`, newlines kept. */
export function neutralizeLines(text: string): string {
  return text.replace(HOSTILE_OR_NEWLINE_KEPT, escape);
}

/** Whether `text` holds anything `neutralize` would change (for tests and assertions). */
export function hasHostileCharacters(text: string): boolean {
  HOSTILE.lastIndex = 0;
  return HOSTILE.test(text);
}

/**
 * JSON for a terminal or a pipe: the same data (any JSON reader gets the exact strings back), with
 * C1, bidi and separator characters written as \u escapes as well (JSON.stringify leaves them raw).
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
