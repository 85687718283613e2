/**
 * `sherpa azure <verb>`: the pipeline twins of the extension's Azure commands. Sign-in is @azure/identity
 * (environment credential, then the Azure CLI's account); endpoints come from AZURE_RESOURCE_MANAGER_ENDPOINT,
 * MICROSOFT_GRAPH_ENDPOINT and AZURE_AUTHORITY_HOST (public cloud by default). Exit 1 when a check or
 * step fails.
 */
import { parseArgs } from 'node:util';
import type { AzureContext } from '../../core/azure/azure-context';
import { createCliCredential } from '../../core/azure/cli-credential';
import { azureEndpointsFromEnv } from '../../core/azure/endpoints';
import {
  failedChecks,
  verifyAzureDeployment,
  verifyLab,
  type VerifyReport,
} from '../../core/azure/verify-deployment';
import { formatVerifyReport, type ReportFormat } from '../../core/azure/verify-report';
import { SherpaError } from '../../core/errors';
import { print } from '../output';

export const azureUsage = `sherpa azure <verb> [options]   (Azure: provision, register, configure, migrate, verify)
  verify --subscription ID --resource-group RG [--format text|json|markdown]
         read-only checks of the deployment + live probes of the secure server; exit 1 if one fails
  verify --lab [--lab-json FILE] [--format …]   the same probes against the local lab, with real lab tokens
  Sign-in: AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET (service principal) or \`az login\`.
  Endpoints: AZURE_RESOURCE_MANAGER_ENDPOINT, MICROSOFT_GRAPH_ENDPOINT, AZURE_AUTHORITY_HOST (sovereign clouds).`;

const COMMON = {
  subscription: { type: 'string' },
  'resource-group': { type: 'string' },
  format: { type: 'string', default: 'text' },
  tenant: { type: 'string' },
} as const;

/** The signed-in context for --subscription / --resource-group (falling back to azd's environment names). */
export function azureContextFromArgs(values: {
  subscription?: string;
  'resource-group'?: string;
  tenant?: string;
}): AzureContext {
  const subscriptionId = values.subscription ?? process.env.AZURE_SUBSCRIPTION_ID;
  const resourceGroup = values['resource-group'] ?? process.env.AZURE_RESOURCE_GROUP;
  if (!subscriptionId || !/^[0-9a-f-]{36}$/i.test(subscriptionId)) {
    throw new SherpaError(
      'BAD_ARGUMENT',
      `--subscription must be a subscription id (GUID)${subscriptionId ? `, got '${subscriptionId}'` : ''}`,
      {
        hint: 'Pass --subscription <id> (az account show --query id -o tsv) or set AZURE_SUBSCRIPTION_ID.',
      },
    );
  }
  if (!resourceGroup) {
    throw new SherpaError('BAD_ARGUMENT', '--resource-group is required', {
      hint: 'Pass --resource-group <name> (AZURE_RESOURCE_GROUP in .azure/<env>/.env after azd provision).',
    });
  }
  const endpoints = azureEndpointsFromEnv(process.env);
  const tenant = values.tenant ?? process.env.AZURE_TENANT_ID;
  return { credential: createCliCredential(endpoints, tenant), endpoints, subscriptionId, resourceGroup };
}

function readFormat(v: string | undefined): ReportFormat {
  if (v === 'text' || v === 'json' || v === 'markdown') return v;
  throw new SherpaError('BAD_ARGUMENT', `--format must be text, json or markdown (got '${v}')`);
}

async function runVerify(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON, lab: { type: 'boolean' }, 'lab-json': { type: 'string' } },
    strict: true,
  });
  const format = readFormat(values.format);
  let report: VerifyReport;
  if (values.lab) {
    const { readLabTarget } = await import('../lab-target');
    const { getLabApiToken, getOtherApiToken, mintExpiredLabToken } = await import('../demo-steps');
    const lab = await readLabTarget(values['lab-json']);
    report = await verifyLab({
      url: lab.secure,
      issuer: lab.issuer,
      audience: lab.clientId,
      otherAudienceToken: async () => (await getOtherApiToken(lab)).accessToken,
      expiredToken: lab.dataDir
        ? async () => mintExpiredLabToken(lab, (await getLabApiToken(lab)).accessToken)
        : undefined,
    });
  } else {
    report = await verifyAzureDeployment(azureContextFromArgs(values));
  }
  print(formatVerifyReport(report, format));
  return failedChecks(report).length ? 1 : 0;
}

const VERBS: Record<string, (argv: string[]) => Promise<number>> = {
  verify: runVerify,
};

export async function runAzureCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const run = verb ? VERBS[verb] : undefined;
  if (!run) {
    throw new SherpaError(
      'BAD_ARGUMENT',
      `sherpa azure needs one of ${Object.keys(VERBS).join(', ')}${verb ? ` (got '${verb}')` : ''}`,
      {
        hint: azureUsage,
      },
    );
  }
  return run(rest);
}
