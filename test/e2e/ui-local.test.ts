/**
 * The local-desktop variant of the sign-in (issue 11 keeps both paths covered): the browser runs on the
 * extension host's machine and reaches 127.0.0.1 directly, as with desktop VS Code. Sherpa is told so
 * (`sherpa.signIn.browser: sameMachine`), sends its loopback receiver as redirect_uri, and the browser
 * opens the lab's own port (test/e2e/workbench.ts, placement `local`). The remote variant is ui.test.ts.
 *
 *   node --import tsx --test test/e2e/ui-local.test.ts   (builds the VSIX with `npm run package`)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LAB_API_CLIENT_ID, LAB_USERS } from '../../src/servers/shared/lab-defaults';
import { connectAndSignIn } from './sign-in-page';
import { openWorkbench, runCommand, screenshot, type Workbench } from './workbench';
import { treeRows } from './workbench-ui';

describe(
  'Sherpa sign-in with the browser on the same machine (local-desktop variant)',
  { timeout: 180_000 },
  () => {
    let workbench: Workbench;

    before(async () => {
      workbench = await openWorkbench({}, 'local');
    });
    after(async () => {
      await workbench?.close();
    });

    test('Connect Secure Server: alice signs in at the lab port, the code returns to 127.0.0.1:PORT/callback', async () => {
      const page = workbench.page;
      const alice = LAB_USERS.find((u) => u.username === 'alice')!;
      await runCommand(page, 'Sherpa: Focus on Servers View');
      await runCommand(page, 'Sherpa Lab: Start Local Lab');
      await page
        .locator('.statusbar-item', { hasText: /lab running/i })
        .first()
        .waitFor({ state: 'visible', timeout: 60_000 });
      const { loginUrl, callbackUrl } = await connectAndSignIn(workbench, alice, 'local-sign-in-alice');
      process.stdout.write(
        `# local sign-in: page ${new URL(loginUrl).origin}, callback ${new URL(callbackUrl).origin}/callback\n`,
      );
      // Direct loopback, no forwarder in between: RFC 8252 §7.3 as on a desktop.
      assert.match(loginUrl, /^http:\/\/127\.0\.0\.1:\d+\/[^/]+\/v2\.0\//);
      assert.match(callbackUrl, /^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
      const rows = treeRows(page, 'Token');
      await rows.filter({ hasText: /aud/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
      assert.match((await rows.allInnerTexts()).join('\n'), new RegExp(`aud ${LAB_API_CLIENT_ID}`));
      await screenshot(page, 'local-token-view');
    });
  },
);
