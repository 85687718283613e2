import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  toNotificationText,
  toQuickPickText,
  toTerminalLine,
  toTerminalText,
} from '../../../src/core/untrusted-text';

const OSC_TITLE = '\u001b]0;pwned\u0007';
const ERASE_UP = '\u001b[1A\u001b[2K';

describe('untrusted text', () => {
  it('toTerminalLine: no escape sequence survives, newlines are shown, length bounded', () => {
    const out = toTerminalLine(`name${OSC_TITLE}${ERASE_UP}\n✔ forged line\u202e`, 40);
    assert.equal(out.includes('\u001b'), false);
    assert.equal(out.includes('\u0007'), false);
    assert.equal(out.includes('\u202e'), false);
    assert.equal(out.includes('\n'), false);
    assert.match(out, /⏎/);
    assert.ok(out.length <= 41);
  });

  it('toTerminalText keeps lines and tabs, drops carriage returns and controls', () => {
    assert.equal(toTerminalText(`a\r\nb\tc${OSC_TITLE}\rd`), 'a\nb\tc?]0;pwned?\nd');
  });

  it('toNotificationText breaks markdown links (notifications render them, command: URIs included)', () => {
    const out = toNotificationText('[Click](command:workbench.action.terminal.new) and [x] (y)');
    assert.doesNotMatch(out, /\]\(/);
    assert.match(out, /\[Click\] \(command:/);
  });

  it('toQuickPickText shows $(icon) syntax as text', () => {
    assert.equal(toQuickPickText('$(alert) urgent'), '$\u200b(alert) urgent');
  });
});
