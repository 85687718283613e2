/**
 * Terminal output helpers shared by the commands. Nothing here ever prints a token. Text that a server
 * or a token supplied (step details, claims, outcomes, tool output) passes through untrusted-text.ts
 * first, so it cannot move the cursor, rewrite lines or set the window title.
 */
import type { ConnectStepEvent } from '../core/client/steps';
import {
  describeClaim,
  inspectToken,
  type DecodedToken,
  type TokenExpectations,
} from '../core/token/token-inspection';
import { toTerminalLine, toTerminalText } from '../core/untrusted-text';

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
export const green = (s: string) => paint(32, s);
export const red = (s: string) => paint(31, s);
export const dim = (s: string) => paint(2, s);
export const bold = (s: string) => paint(1, s);

export function print(line = ''): void {
  process.stdout.write(line + '\n');
}

/** "✔ prm  …" / "✘ token  …" */
export function printStep(e: ConnectStepEvent): void {
  print(`${e.status === 'ok' ? green('✔') : red('✘')} ${e.step.padEnd(12)} ${toTerminalLine(e.detail)}`);
}

/** Header, human-readable claims and the inspector's checks. */
export function printDecoded(decoded: DecodedToken, expect: TokenExpectations = {}): void {
  const now = Math.floor(Date.now() / 1000);
  print(bold('Header'));
  for (const [k, v] of Object.entries(decoded.header)) {
    print(
      `  ${toTerminalLine(k).padEnd(24)} ${toTerminalLine(typeof v === 'string' ? v : JSON.stringify(v))}`,
    );
  }
  print(bold('Claims'));
  for (const [k, v] of Object.entries(decoded.claims)) {
    const line = describeClaim(k, v, now);
    print(`  ${toTerminalLine(line.label).padEnd(24)} ${toTerminalLine(line.value)}`);
  }
  print(bold('Checks'));
  for (const c of inspectToken(decoded, { ...expect, now })) {
    const mark = c.status === 'pass' ? green('✔') : c.status === 'fail' ? red('✘') : dim('?');
    print(`  ${mark} ${c.label.padEnd(12)} ${toTerminalLine(c.detail)}`);
  }
}

/** Result line of a demonstration step: PASS when the observed outcome is the expected one. */
export function printOutcome(n: string, title: string, ok: boolean, observed: string): boolean {
  print(`${ok ? green('PASS') : red('FAIL')} ${n} ${title} — ${toTerminalLine(observed)}`);
  return ok;
}

/** Tool output and other multi-line server text: newlines kept, every other control removed. */
export function printUntrusted(text: string): void {
  print(toTerminalText(text));
}
