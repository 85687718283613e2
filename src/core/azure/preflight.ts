/**
 * Provision's preflight: before `azd provision` spends ten minutes, check that azd, az and docker are on
 * PATH, Docker is running, azd and az are signed in, a subscription is chosen, an azd environment exists
 * (or can be created) and the Microsoft.App resource provider is registered. Every problem is named with
 * the command that fixes it; all checks run, so one pass shows everything that is missing.
 */
import { isGuid, requireAzdEnvName, requireGuid, requireLocation } from './azure-names';
import type { ToolRunner } from './tool-runner';

export interface PreflightItem {
  id: string;
  ok: boolean;
  detail: string;
  /** The command or link that fixes it (empty when ok). */
  fix: string;
}

export interface PreflightResult {
  items: PreflightItem[];
  ok: boolean;
  subscriptionId?: string;
  /** The azd environment's values (`azd env get-values --output json`), when one exists. */
  azdEnv?: Record<string, string>;
}

export interface PreflightOptions {
  subscriptionId?: string;
  /** Name for a new azd environment when none exists (provision creates it). */
  envName?: string;
  location?: string;
}

const parse = <T>(text: string): T | undefined => {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
};

/** Refuses a malformed id or name given by the person before any tool runs (they become azd/az arguments). */
export function checkPreflightOptions(o: PreflightOptions): void {
  if (o.subscriptionId !== undefined)
    requireGuid(o.subscriptionId, 'The subscription id (--subscription / sherpa.azure.subscriptionId)');
  if (o.envName !== undefined) requireAzdEnvName(o.envName, '--env-name');
  if (o.location !== undefined) requireLocation(o.location, '--location');
}

/** One preflight line; `fix` only when it failed. */
function item(id: string, ok: boolean, detail: string, fix = ''): PreflightItem {
  return { id, ok, detail, fix: ok ? '' : fix };
}

type Account = { id?: string; tenantId?: string; name?: string; user?: { name?: string } };

/**
 * Every check, in order: the three tools, then (where the tool is there) azd's and az's sign-in, the azd
 * environment, the subscription and the Microsoft.App provider.
 */
export async function runPreflight(run: ToolRunner, o: PreflightOptions = {}): Promise<PreflightResult> {
  checkPreflightOptions(o);
  const azd = await run('azd', ['version', '--output', 'json']);
  const az = await run('az', ['version', '--output', 'json']);
  const items = [azdItem(azd), azItem(az), await dockerItem(run)];
  let account: Account | undefined;
  let azdEnv: Record<string, string> | undefined;
  if (azd !== 'missing') items.push(await azdSignedInItem(run));
  if (az !== 'missing') {
    account = await signedInAccount(run);
    items.push(
      item(
        'az-signed-in',
        !!account?.id,
        account?.id
          ? `az is signed in as ${account.user?.name ?? '?'} (${account.name})`
          : 'az is not signed in',
        'Run `az login` (add --tenant <tenant> for another tenant).',
      ),
    );
  }
  if (azd !== 'missing') {
    azdEnv = await azdEnvironment(run);
    items.push(azdEnvironmentItem(azdEnv, o));
  }
  const found = o.subscriptionId ?? azdEnv?.AZURE_SUBSCRIPTION_ID ?? account?.id;
  // The azd environment file sits in the repository's folder: a cloned one may carry any value there.
  const subscriptionId = isGuid(found) ? found : undefined;
  items.push(subscriptionItem(found, subscriptionId, azdEnv, o));
  if (az !== 'missing' && account?.id && subscriptionId) items.push(await providerItem(run, subscriptionId));
  return { items, ok: items.every((i) => i.ok), subscriptionId, azdEnv };
}

type ToolResult = Awaited<ReturnType<ToolRunner>>;

function azdItem(azd: ToolResult): PreflightItem {
  if (azd === 'missing')
    return item(
      'azd',
      false,
      'azd (Azure Developer CLI) is not on PATH',
      'Install it: https://aka.ms/azd-install (winget install microsoft.azd · brew install azd · curl -fsSL https://aka.ms/install-azd.sh | bash)',
    );
  return item(
    'azd',
    azd.code === 0,
    `azd ${parse<{ azd?: { version?: string } }>(azd.stdout)?.azd?.version ?? azd.stdout.trim()}`,
    'Reinstall azd: https://aka.ms/azd-install',
  );
}

function azItem(az: ToolResult): PreflightItem {
  if (az === 'missing')
    return item('az', false, 'az (Azure CLI) is not on PATH', 'Install it: https://aka.ms/installazurecli');
  return item(
    'az',
    az.code === 0,
    `az ${parse<Record<string, string>>(az.stdout)?.['azure-cli'] ?? az.stdout.trim()}`,
    'Reinstall the Azure CLI: https://aka.ms/installazurecli',
  );
}

/** docker on PATH and its daemon running (azd deploy builds the image with it). */
async function dockerItem(run: ToolRunner): Promise<PreflightItem> {
  const docker = await run('docker', ['version', '--format', '{{json .}}']);
  if (docker === 'missing') {
    return item(
      'docker',
      false,
      'docker is not on PATH (azd deploy builds the image with it)',
      'Install Docker: https://docs.docker.com/get-docker/',
    );
  }
  const v = parse<{ Client?: { Version?: string }; Server?: { Version?: string } | null }>(docker.stdout);
  const running = docker.code === 0 && !!v?.Server;
  return item(
    'docker',
    running,
    running
      ? `docker ${v?.Client?.Version}, daemon ${v?.Server?.Version}`
      : `docker is installed but its daemon is not running (${docker.stderr.trim().split('\n')[0] || 'no server'})`,
    'Start Docker Desktop (or `sudo systemctl start docker`).',
  );
}

async function azdSignedInItem(run: ToolRunner): Promise<PreflightItem> {
  const auth = await run('azd', ['auth', 'login', '--check-status', '--output', 'json']);
  const status = auth === 'missing' ? undefined : parse<{ status?: string; expiresOn?: string }>(auth.stdout);
  const ok = auth !== 'missing' && auth.code === 0 && status?.status === 'success';
  return item(
    'azd-signed-in',
    ok,
    ok ? `azd is signed in (token until ${status?.expiresOn ?? '?'})` : 'azd is not signed in',
    'Run `azd auth login` (add --tenant-id <tenant> for another tenant).',
  );
}

/** The account az is signed in with (`az account show`), if it is. */
async function signedInAccount(run: ToolRunner): Promise<Account | undefined> {
  const show = await run('az', ['account', 'show', '--output', 'json']);
  return show !== 'missing' && show.code === 0 ? parse<Account>(show.stdout) : undefined;
}

/** The azd environment's values (`azd env get-values`), when this folder has one. */
async function azdEnvironment(run: ToolRunner): Promise<Record<string, string> | undefined> {
  const values = await run('azd', ['env', 'get-values', '--output', 'json']);
  return values !== 'missing' && values.code === 0 ? parse<Record<string, string>>(values.stdout) : undefined;
}

function azdEnvironmentItem(azdEnv: Record<string, string> | undefined, o: PreflightOptions): PreflightItem {
  const canCreate = !!o.envName && !!o.location;
  return item(
    'azd-environment',
    !!azdEnv || canCreate,
    azdEnv
      ? `azd environment ${azdEnv.AZURE_ENV_NAME ?? '(default)'}`
      : canCreate
        ? `will create azd environment ${o.envName} in ${o.location}`
        : 'no azd environment in this folder',
    'Pass --env-name <name> --location <region> (or run `azd env new <name>`).',
  );
}

/** The subscription chosen: --subscription, else the azd environment's, else az's default — a GUID. */
function subscriptionItem(
  found: string | undefined,
  subscriptionId: string | undefined,
  azdEnv: Record<string, string> | undefined,
  o: PreflightOptions,
): PreflightItem {
  return item(
    'subscription',
    !!subscriptionId,
    found && !subscriptionId
      ? `the subscription id ${JSON.stringify(String(found).slice(0, 80))} (${azdEnv?.AZURE_SUBSCRIPTION_ID === found ? 'azd environment' : 'az default'}) is not a GUID`
      : subscriptionId
        ? `subscription ${subscriptionId}${o.subscriptionId ? ' (--subscription)' : azdEnv?.AZURE_SUBSCRIPTION_ID ? ' (azd environment)' : ' (az default)'}`
        : 'no subscription chosen',
    'Pass --subscription <id>, or `az account set --subscription <id>`.',
  );
}

/** The Microsoft.App resource provider registered in the subscription (Container Apps need it). */
async function providerItem(run: ToolRunner, subscriptionId: string): Promise<PreflightItem> {
  const provider = await run('az', [
    'provider',
    'show',
    '--namespace',
    'Microsoft.App',
    '--subscription',
    subscriptionId,
    '--query',
    'registrationState',
    '--output',
    'tsv',
  ]);
  const state = provider === 'missing' ? '' : provider.stdout.trim();
  return item(
    'provider-microsoft-app',
    state === 'Registered',
    `Microsoft.App resource provider: ${state || 'unknown'}`,
    `Run \`az provider register --namespace Microsoft.App --subscription ${subscriptionId}\` (takes a few minutes).`,
  );
}
