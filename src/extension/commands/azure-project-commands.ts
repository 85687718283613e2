/**
 * "Sherpa Azure: Create Deployment Project…", and Provision's offer of it when no workspace folder holds
 * azure.yaml: for someone who installed Sherpa from the Marketplace, with no clone of its repository. The
 * files (azure.yaml, infra/, a Dockerfile, the server bundle) ship inside the VSIX; core writes them
 * (core/azure/deployment-project.ts — the same as `sherpa azure init <folder>`) into a folder the person
 * picks, asking before it replaces anything.
 */
import { findDeploymentSource, writeDeploymentProject } from '../../core/azure/deployment-project';
import { isSherpaError } from '../../core/errors';
import { toNotificationText } from '../../core/untrusted-text';
import { reportAzureFailure } from '../azure/azure-failure';
import type { AzureUi } from '../azure/azure-ui';
import type { SherpaLog } from '../output-log';

/** The command: writes the project; returns its folder, or undefined when the person cancelled. */
export async function createDeploymentProjectCommand(
  ui: AzureUi,
  log: SherpaLog,
  extensionPath: string,
): Promise<string | undefined> {
  try {
    const folder = await createDeploymentProject(ui, log, extensionPath);
    if (folder) {
      void ui.notify(
        'info',
        `Sherpa: deployment project written to ${toNotificationText(folder, 300)}. Next: Provision to Azure (it runs from there).`,
      );
    }
    return folder;
  } catch (err) {
    reportAzureFailure(ui, log, 'Create Deployment Project', err);
    return undefined;
  }
}

/**
 * Asks for a folder and writes the project there; a folder holding files is written to only after the
 * person agrees (files with the same names are replaced). Undefined: cancelled at any of those steps.
 */
export async function createDeploymentProject(
  ui: AzureUi,
  log: SherpaLog,
  extensionPath: string,
): Promise<string | undefined> {
  const folder = await ui.pickFolder({
    title: 'Sherpa: a new or empty folder for the deployment project',
    openLabel: 'Create Project Here',
  });
  if (!folder) return undefined;
  const source = findDeploymentSource(extensionPath);
  let written;
  try {
    written = await writeDeploymentProject(source, folder);
  } catch (err) {
    if (!isSherpaError(err, 'BAD_ARGUMENT') || !Array.isArray(err.details?.existing)) throw err;
    const replace = await ui.confirm(
      'This folder already holds files. Write the deployment project into it anyway?',
      'Files with the same names as the project’s (azure.yaml, infra/…, sherpa.mjs, .dockerignore) are replaced; other files are left as they are.',
      'Write Anyway',
    );
    if (!replace) return undefined;
    written = await writeDeploymentProject(source, folder, { force: true });
  }
  log.info(`[azure project] wrote ${written.files.join(', ')} to ${written.folder}`);
  return written.folder;
}
