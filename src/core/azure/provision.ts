/**
 * Provision: `azd provision` then `azd deploy`, then `azd provision` once more — the first provision runs
 * the apps on a placeholder image (the registry is still empty, see infra/README.md), the second applies
 * the real image's port, probes and scale rule. The steps are argument vectors, so the CLI can run them
 * with visible output and the extension can run the very same ones as cancellable vscode.Tasks (one
 * ProcessExecution each), both without a shell.
 */
import { requireGuid } from './azure-names';
import { readDeploymentOutputs, type DeploymentOutputs } from './deployment-outputs';
import { checkPreflightOptions, type PreflightOptions, type PreflightResult } from './preflight';
import type { ToolRunner } from './tool-runner';

/** One tool run: a program and its argument vector — never a command line, so nothing is parsed by a shell. */
export interface ProvisionStep {
  label: string;
  command: string;
  args: string[];
}

/**
 * The steps, after checking every id and name that becomes an argument (azure-names.ts): even as argv a
 * malformed subscription id would reach azd, and on Windows the Azure tools can sit behind cmd.exe.
 */
export function provisionSteps(preflight: PreflightResult, o: PreflightOptions): ProvisionStep[] {
  checkPreflightOptions(o);
  if (preflight.subscriptionId !== undefined)
    requireGuid(
      preflight.subscriptionId,
      'The subscription id (--subscription / sherpa.azure.subscriptionId)',
    );
  const steps: ProvisionStep[] = [];
  if (!preflight.azdEnv && o.envName && o.location) {
    steps.push({
      label: `create azd environment ${o.envName}`,
      command: 'azd',
      args: [
        'env',
        'new',
        o.envName,
        '--subscription',
        preflight.subscriptionId!,
        '--location',
        o.location,
        '--no-prompt',
      ],
    });
  } else if (
    preflight.subscriptionId &&
    preflight.azdEnv?.AZURE_SUBSCRIPTION_ID !== preflight.subscriptionId
  ) {
    steps.push({
      label: 'choose the subscription',
      command: 'azd',
      args: ['env', 'set', 'AZURE_SUBSCRIPTION_ID', preflight.subscriptionId],
    });
  }
  steps.push(
    {
      label: 'provision the infrastructure (infra/main.bicep)',
      command: 'azd',
      args: ['provision', '--no-prompt'],
    },
    {
      label: 'build and deploy the image (infra/Dockerfile)',
      command: 'azd',
      args: ['deploy', '--no-prompt'],
    },
    {
      label: "apply the real image's port, probes and scale rule",
      command: 'azd',
      args: ['provision', '--no-prompt'],
    },
  );
  return steps;
}

/** The deployment's outputs as azd recorded them in the environment. */
export async function readAzdOutputs(run: ToolRunner): Promise<DeploymentOutputs> {
  const r = await run('azd', ['env', 'get-values', '--output', 'json']);
  if (r === 'missing' || r.code !== 0) return {};
  try {
    return readDeploymentOutputs(JSON.parse(r.stdout) as Record<string, unknown>);
  } catch {
    return {};
  }
}
