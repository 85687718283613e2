/**
 * Text that a server supplied (names, descriptions, error_description, URLs, tool output) is shown to
 * people in terminals and in VS Code. In a terminal, C0/C1 control characters can move the cursor,
 * rewrite earlier lines or set the window title (ESC ] 0 ; … BEL), and bidirectional overrides can make
 * text read differently from what it is (CVE-2021-42574, "Trojan Source"). These helpers remove them
 * before display; nothing here is for security decisions — compare the original values for those.
 */

// C0 except tab/newline, DEL, C1 (includes the 8-bit CSI/OSC introducers). Matching controls is the point.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Bidi embeddings/overrides/isolates and the invisible marks that reorder text.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of untrusted text: controls and bidi marks become `?`, newlines ` ⏎ `, at most `max` chars. */
export function toTerminalLine(text: unknown, max = 500): string {
  const s = String(text)
    .replace(/\r\n|\r|\n/g, ' ⏎ ')
    .replace(/\t/g, ' ')
    .replace(CONTROLS, '?')
    .replace(BIDI, '?');
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Several lines of untrusted text (tool output): newlines and tabs kept, every other control removed. */
export function toTerminalText(text: unknown, max = 100_000): string {
  const s = String(text).replace(/\r\n?/g, '\n').replace(CONTROLS, '?').replace(BIDI, '?');
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * Untrusted text for a VS Code notification or quick pick: one line as above, and no `[label](target)`
 * link syntax, which notifications render as clickable links (including `command:` URIs).
 */
export function toNotificationText(text: unknown, max = 500): string {
  return toTerminalLine(text, max).replace(/\]\s*\(/g, '] (');
}

/**
 * Untrusted text for a quick-pick label, description or detail: as for notifications, and `$(name)`
 * — which quick picks render as an icon — shown as text.
 */
export function toQuickPickText(text: unknown, max = 200): string {
  return toNotificationText(text, max).replace(/\$\(/g, '$\u200b(');
}
