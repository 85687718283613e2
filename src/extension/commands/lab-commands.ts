/** Start / Stop Local Lab commands. */
import * as vscode from 'vscode';
import type { LabInfo } from '../../lab/lab';
import type { LabController } from '../lab/lab-controller';
import type { SherpaLog } from '../output-log';
import type { BrowserAddresses } from '../remote/browser-addresses';
import { readSettings } from '../settings';
import { showFailure } from '../show-failure';

/** Starts the lab with the ports from settings; returns its URLs (undefined on failure, after telling the user). */
export async function startLabCommand(
  lab: LabController,
  log: SherpaLog,
  browser?: BrowserAddresses,
): Promise<LabInfo | undefined> {
  try {
    const info = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Sherpa: starting the local lab on 127.0.0.1…'),
      },
      async () => {
        const started = await lab.start(readSettings().labPorts);
        // A remote browser reaches the sign-in pages at a forwarded address: register it now, so any
        // client's sign-in works there (VS Code's own MCP client too, which Sherpa does not drive).
        await browser?.registerLab();
        return started;
      },
    );
    // The story's next step is the insecure server: one click away.
    const next = vscode.l10n.t('Connect Vulnerable Server');
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t(
          'Sherpa lab running: sign-in server {0}, vulnerable {1}, secure {2}.',
          info.authorizationServer,
          info.vulnerable,
          info.secure,
        ),
        next,
      )
      .then((choice) => {
        if (choice === next) void vscode.commands.executeCommand('sherpa.connectVulnerable');
      });
    return info;
  } catch (err) {
    showFailure(log, vscode.l10n.t('Could not start the local lab'), err);
    return undefined;
  }
}

export async function stopLabCommand(lab: LabController): Promise<void> {
  if (lab.state === 'stopped') {
    void vscode.window.showInformationMessage(vscode.l10n.t('The Sherpa lab is not running.'));
    return;
  }
  await lab.stop();
  void vscode.window.showInformationMessage(vscode.l10n.t('Sherpa lab stopped.'));
}
