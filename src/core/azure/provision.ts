/**
 * Provision: `azd provision` then `azd deploy`, then `azd provision` once more — the first provision runs
 * the apps on a placeholder image (the registry is still empty, see infra/README.md), the second applies
 * the real image's port, probes and scale rule. The steps are plain command lines so the CLI can run them
 * with visible output and the extension can run the very same ones as a cancellable vscode.Task.
 */
import { readDeploymentOutputs, type DeploymentOutputs } from './deployment-outputs';
import type { PreflightOptions, PreflightResult } from './preflight';
import type { ToolRunner } from './tool-runner';

export interface ProvisionStep {
  label: string;
  command: string;
  args: string[];
}

export function provisionSteps(preflight: PreflightResult, o: PreflightOptions): ProvisionStep[] {
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
