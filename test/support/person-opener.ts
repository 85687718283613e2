#!/usr/bin/env -S node --import tsx
// STAND-IN for the platform's URL opener (xdg-open / open), put first on PATH by the sign-in-pace tests:
// a person at a person's pace. It opens the lab's login page, keeps it on screen for
// $SHERPA_PERSON_HOLD_MS (reading, finding the password) before typing $SHERPA_PERSON_USER's password,
// then lets the browser follow the redirect back to the CLI. It records what it did, one JSON line, to
// $SHERPA_OPENER_RECORD. Runs with the repository as its working directory (tsx resolves from there).
import { appendFileSync } from 'node:fs';
import { findLabCredentials, labLoginBrowser } from '../../src/lab/lab-login';

const [url] = process.argv.slice(2);
const holdMs = Number(process.env.SHERPA_PERSON_HOLD_MS ?? 0);
const record = (entry: Record<string, unknown>) =>
  appendFileSync(process.env.SHERPA_OPENER_RECORD!, JSON.stringify(entry) + '\n');
let heldMs = 0;
try {
  await labLoginBrowser(findLabCredentials(process.env.SHERPA_PERSON_USER ?? 'alice'), {
    beforeTyping: async () => {
      const shown = Date.now();
      await new Promise((r) => setTimeout(r, holdMs));
      heldMs = Date.now() - shown;
    },
  })(new URL(url!));
  record({ signedIn: true, heldMs });
} catch (err) {
  record({ signedIn: false, heldMs, error: String(err) });
}
