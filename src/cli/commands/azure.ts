/**
 * `sherpa azure <verb>`: the pipeline twins of the extension's Azure commands. Sign-in is @azure/identity
 * (environment credential, then the Azure CLI's account); endpoints come from AZURE_RESOURCE_MANAGER_ENDPOINT,
 * MICROSOFT_GRAPH_ENDPOINT and AZURE_AUTHORITY_HOST (public cloud by default). Exit 1 when a check or
 * step fails.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { EXPECTED_SECRET_NAMES } from '../../core/azure/built-in-roles';
import { configureSecureServer } from '../../core/azure/configure-app';
import { migrateSecrets } from '../../core/azure/migrate-secrets';
import { runPreflight } from '../../core/azure/preflight';
import { provisionSteps, readAzdOutputs } from '../../core/azure/provision';
import { resolveTool, runTool, toolCommand } from '../../core/azure/tool-runner';
import { requireGuid, requireResourceGroupName, requireTenant } from '../../core/azure/azure-names';
import { describeAzdEnvOutcome, saveApiClientIdInAzdEnv } from '../../core/azure/azd-env';
import { registerEntraApp } from '../../core/azure/register-app';
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
import { isSherpaError, SherpaError } from '../../core/errors';
import { print } from '../output';
import { runAzureInit } from './azure-init';
import { withProgress } from '../progress';

export const azureUsage = `sherpa azure <verb> [options]   (Azure: init, provision, register, configure, migrate, verify)
  init <folder> [--force]
         writes the deployment project (azure.yaml, infra/, Dockerfile, the server bundle) into a new or
         empty folder — no clone needed; run provision from there
  provision [--subscription ID] [--env-name N --location L] [--preflight-only]
         preflight (azd, az, docker on PATH and signed in, Microsoft.App registered), then
         azd provision → azd deploy → azd provision; prints the outputs azd recorded
  verify --subscription ID --resource-group RG [--format text|json|markdown]
         read-only checks of the deployment + live probes of the secure server; exit 1 if one fails
  verify --lab [--lab-json FILE] [--format …]   the same probes against the local lab, with real lab tokens
  register --secure-url URL [--unique-name N] [--format text|json]
         the API app registration through Microsoft Graph (idempotent; repairs drift)
  configure --subscription ID --resource-group RG --api-client-id GUID
         the secure app's settings through Resource Manager (new revision, same image)
  migrate-secrets --subscription ID --resource-group RG [--from-stdin]
         the secrets into Key Vault (generated, or name=value lines on stdin) with a temporary grant
  Sign-in: AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET (service principal) or \`az login\`.
  Endpoints: AZURE_RESOURCE_MANAGER_ENDPOINT, MICROSOFT_GRAPH_ENDPOINT, AZURE_AUTHORITY_HOST (sovereign clouds).`;

const COMMON = {
  subscription: { type: 'string' },
  'resource-group': { type: 'string' },
  format: { type: 'string', default: 'text' },
  tenant: { type: 'string' },
} as const;

/** The signed-in context for --subscription / --resource-group (falling back to azd's environment names). */
export function azureContextFromArgs(
  values: { subscription?: string; 'resource-group'?: string; tenant?: string },
  o: { graphOnly?: boolean } = {},
): AzureContext {
  const endpoints = azureEndpointsFromEnv(process.env);
  const tenant = values.tenant ?? process.env.AZURE_TENANT_ID;
  if (tenant) requireTenant(tenant, '--tenant (or AZURE_TENANT_ID)');
  // Microsoft Graph needs no subscription: registering the app works before anything is provisioned.
  if (o.graphOnly) {
    return {
      credential: createCliCredential(endpoints, tenant),
      endpoints,
      subscriptionId: '',
      resourceGroup: '',
    };
  }
  const subscriptionId = values.subscription ?? process.env.AZURE_SUBSCRIPTION_ID;
  const resourceGroup = values['resource-group'] ?? process.env.AZURE_RESOURCE_GROUP;
  if (!subscriptionId) {
    throw new SherpaError('BAD_ARGUMENT', '--subscription is required', {
      hint: 'Pass --subscription <id> (az account show --query id -o tsv) or set AZURE_SUBSCRIPTION_ID.',
    });
  }
  requireGuid(subscriptionId, '--subscription (or AZURE_SUBSCRIPTION_ID)');
  if (!resourceGroup) {
    throw new SherpaError('BAD_ARGUMENT', '--resource-group is required', {
      hint: 'Pass --resource-group <name> (AZURE_RESOURCE_GROUP in .azure/<env>/.env after azd provision).',
    });
  }
  requireResourceGroupName(resourceGroup, '--resource-group (or AZURE_RESOURCE_GROUP)');
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
    const { getLabApiToken, getOtherApiToken } = await import('../lab-token');
    const { mintExpiredLabToken } = await import('../../lab/lab-key');
    const lab = await readLabTarget(values['lab-json']);
    // Real lab tokens: the audit's token matrix runs too (valid, another API's, expired).
    const valid = (await getLabApiToken(lab)).accessToken;
    const foreign = (await getOtherApiToken(lab)).accessToken;
    const expired = lab.dataDir ? await mintExpiredLabToken(lab.dataDir, valid) : undefined;
    report = await withProgress('verifying the local lab', { machine: format !== 'text' }, () =>
      verifyLab({
        url: lab.secure,
        issuer: lab.issuer,
        audience: lab.clientId,
        otherAudienceToken: async () => foreign,
        expiredToken: expired ? async () => expired : undefined,
        auditTokens: { valid, foreign, ...(expired ? { expired } : {}) },
      }),
    );
  } else {
    const ctx = azureContextFromArgs(values);
    report = await withProgress(
      'verifying the Azure deployment (read-only)',
      { machine: format !== 'text' },
      () => verifyAzureDeployment(ctx),
    );
  }
  print(formatVerifyReport(report, format));
  return failedChecks(report).length ? 1 : 0;
}

async function runRegister(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenant: { type: 'string' },
      'secure-url': { type: 'string' },
      'unique-name': { type: 'string' },
      format: { type: 'string', default: 'text' },
    },
    strict: true,
  });
  const secureUrl = values['secure-url'] ?? process.env.SECURE_SERVER_URL;
  if (!secureUrl || !/^https?:\/\//.test(secureUrl)) {
    throw new SherpaError('BAD_ARGUMENT', "--secure-url must be the secure server's public MCP URL", {
      hint: 'Pass --secure-url https://<secure app>/mcp (SECURE_SERVER_URL in .azure/<env>/.env after azd provision).',
    });
  }
  const ctx = azureContextFromArgs(values, { graphOnly: true });
  const r = await registerEntraApp(ctx, {
    secureUrl,
    uniqueName: values['unique-name'],
    onProgress: (m) => process.stderr.write(`… ${m}\n`),
  });
  if (values.format === 'json') {
    print(JSON.stringify(r, null, 2));
    return 0;
  }
  print(`${r.created ? 'Created' : 'Found'} app registration ${r.uniqueName}: appId ${r.appId}`);
  if (!r.created)
    print(r.repaired.length ? `Repaired drift: ${r.repaired.join(', ')}` : 'No drift: nothing to repair');
  if (r.identifierUri.outcome === 'refused') {
    print(`Entra refused ${r.identifierUri.url} as an identifier URI (${r.identifierUri.detail}).`);
    print(
      `Fallback applied: api://${r.appId} only; PRM scopes_supported ${r.scopesSupported.join(' ')}; clients omit resource for Entra.`,
    );
  } else {
    print(`Identifier URIs: api://${r.appId} and ${r.identifierUri.url} (${r.identifierUri.outcome})`);
  }
  print(`SHERPA_API_CLIENT_ID=${r.appId}`);
  print(`Next: sherpa azure configure --subscription <id> --resource-group <rg> --api-client-id ${r.appId}`);
  return 0;
}

async function runConfigure(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON, 'api-client-id': { type: 'string' } },
    strict: true,
  });
  const apiClientId = values['api-client-id'] ?? process.env.SHERPA_API_CLIENT_ID;
  if (!apiClientId) {
    throw new SherpaError(
      'BAD_ARGUMENT',
      "--api-client-id must be the API app registration's client id (GUID)",
      {
        hint: 'Run `sherpa azure register` first; it prints SHERPA_API_CLIENT_ID.',
      },
    );
  }
  const r = await configureSecureServer(azureContextFromArgs(values), {
    apiClientId,
    onProgress: (m) => process.stderr.write(`… ${m}\n`),
  });
  print(
    r.changed.length
      ? `${r.app}: set ${r.changed.join(', ')}`
      : `${r.app}: already configured, no new revision`,
  );
  if (r.fallbackScopes)
    print('The server URL is not an identifier URI of the app: PRM advertises the api:// scope (fallback).');
  print(`Revision ${r.revisionState ?? r.revision ?? '(unknown)'}`);
  // After the app took it: the azd environment never holds a client id the app does not.
  const azd = await saveApiClientIdInAzdEnv(runTool, apiClientId, { scopesSupported: r.scopesSupported });
  print(describeAzdEnvOutcome(azd, apiClientId, r.scopesSupported));
  return 0;
}

async function runMigrateSecrets(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON,
      'from-stdin': { type: 'boolean' },
      'rbac-max-attempts': { type: 'string' },
      'rbac-retry-delay-ms': { type: 'string' },
    },
    strict: true,
  });
  const ctx = azureContextFromArgs(values);
  let secrets: { name: string; value: string }[];
  if (values['from-stdin']) {
    // `name=value` lines on stdin (a pipeline's secret store), never on the command line (ps, history).
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    secrets = text
      .split(/\r?\n/)
      .filter((l) => l.trim())
      .map((l) => {
        const i = l.indexOf('=');
        if (i < 1) throw new SherpaError('BAD_ARGUMENT', 'stdin lines must be name=value');
        return { name: l.slice(0, i).trim(), value: l.slice(i + 1) };
      });
  } else {
    secrets = EXPECTED_SECRET_NAMES.map((name) => ({ name, value: randomBytes(32).toString('base64url') }));
  }
  // Ctrl-C / SIGTERM: stop the run, but let it remove its temporary grant first; a second signal quits
  // at once (the next run, and Verify Deployment, then find the marked leftover).
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    process.stderr.write(`… ${signal}: stopping after removing the temporary grant (again to quit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let r: Awaited<ReturnType<typeof migrateSecrets>>;
  try {
    r = await migrateSecrets(ctx, {
      secrets,
      maxAttempts: values['rbac-max-attempts'] ? Number(values['rbac-max-attempts']) : undefined,
      retryDelayMs: values['rbac-retry-delay-ms'] ? Number(values['rbac-retry-delay-ms']) : undefined,
      onProgress: (m) => process.stderr.write(`… ${m}\n`),
      signal: controller.signal,
    });
  } catch (err) {
    if (!isSherpaError(err, 'AZURE_CANCELLED')) throw err;
    process.stderr.write(`sherpa: ${err.message}; the temporary grant was removed.\n`);
    return 130;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (r.staleGrantsRemoved.length)
    print(
      `Removed ${r.staleGrantsRemoved.length} temporary grant(s) an interrupted run had left on ${r.vault}`,
    );
  print(
    `${r.vault}: wrote ${r.written.join(', ')} (${values['from-stdin'] ? 'values from stdin' : 'generated values'}, never printed)`,
  );
  print(
    r.firstWriteAttempts > 1
      ? `RBAC propagation: the first write succeeded on attempt ${r.firstWriteAttempts}`
      : 'The grant was effective at once',
  );
  print(
    r.grant === 'temporary-removed'
      ? 'Temporary Secrets Officer grant removed'
      : 'You already held Secrets Officer on the vault: left as it was',
  );
  return 0;
}

async function runProvision(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      subscription: { type: 'string' },
      'env-name': { type: 'string' },
      location: { type: 'string' },
      'preflight-only': { type: 'boolean' },
    },
    strict: true,
  });
  const o = { subscriptionId: values.subscription, envName: values['env-name'], location: values.location };
  const preflight = await withProgress('checking azd, az and docker', {}, () => runPreflight(runTool, o));
  for (const i of preflight.items)
    print(`${i.ok ? '✔' : '✘'} ${i.id.padEnd(22)} ${i.detail}${i.ok ? '' : `\n  → ${i.fix}`}`);
  if (!preflight.ok) {
    const missing = preflight.items.filter((i) => !i.ok).map((i) => i.id);
    throw new SherpaError('AZURE_PREFLIGHT_FAILED', `Preflight failed: ${missing.join(', ')}`, {
      hint: 'Fix the items marked ✘ above, then run `sherpa azure provision` again.',
    });
  }
  if (values['preflight-only']) return 0;
  for (const step of provisionSteps(preflight, o)) {
    print(`\n▶ ${step.label}: ${step.command} ${step.args.join(' ')}`);
    // By full path with an argument vector, never through a shell (tool-runner.ts explains Windows' az.cmd).
    const file = resolveTool(step.command);
    const command = file ? toolCommand(file, step.args) : undefined;
    const code = await new Promise<number>((resolve) => {
      if (!command) return resolve(127);
      const child = spawn(command.file, command.args, {
        stdio: 'inherit',
        shell: false,
        windowsVerbatimArguments: command.windowsVerbatimArguments,
      });
      child.once('error', () => resolve(127));
      child.once('exit', (c) => resolve(c ?? 1));
    });
    if (code !== 0) {
      throw new SherpaError(
        'AZURE_TOOL_FAILED',
        `${step.command} ${step.args.join(' ')} failed (exit ${code})`,
        {
          hint: 'Its output is above; azd keeps the deployment log under .azure/<env>/.',
        },
      );
    }
  }
  const outputs = await readAzdOutputs(runTool);
  print('');
  for (const [k, v] of Object.entries(outputs)) print(`${k}=${v}`);
  print(`Next: sherpa azure register --secure-url ${outputs.SECURE_SERVER_URL ?? '<SECURE_SERVER_URL>'}`);
  return 0;
}

const VERBS: Record<string, (argv: string[]) => Promise<number>> = {
  init: runAzureInit,
  provision: runProvision,
  verify: runVerify,
  register: runRegister,
  configure: runConfigure,
  'migrate-secrets': runMigrateSecrets,
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
