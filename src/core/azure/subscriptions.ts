/**
 * Subscriptions and resource groups the signed-in account can see, for the sign-in quick picks
 * (Resource Manager `GET /subscriptions`, api-version 2022-12-01; `GET /subscriptions/{id}/resourcegroups`,
 * 2021-04-01), following `nextLink`. Raw calls: @azure/arm-resources needs Node 22.
 */
import type { TokenCredential } from '@azure/identity';
import type { AzureEndpoints } from './endpoints';
import { toAzureError } from './azure-errors';
import { azureHttp } from './azure-http';

export interface SubscriptionInfo {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  state: string;
}

async function listArm<T>(
  credential: TokenCredential,
  endpoints: AzureEndpoints,
  path: string,
  doing: string,
): Promise<T[]> {
  const token = await credential.getToken(`${endpoints.resourceManager}/.default`);
  const out: T[] = [];
  let next: string | undefined = `${endpoints.resourceManager}${path}`;
  for (let page = 0; next && page < 50; page++) {
    const res = await azureHttp('GET', next, { token: token?.token ?? '' });
    let body: { value?: T[]; nextLink?: string; error?: { code?: string; message?: string } } = {};
    try {
      body = JSON.parse(res.text) as typeof body;
    } catch {
      // not JSON: reported below with the status
    }
    if (res.status !== 200) {
      throw toAzureError(
        {
          statusCode: res.status,
          code: body.error?.code,
          message: body.error?.message ?? `HTTP ${res.status}`,
        },
        doing,
      );
    }
    out.push(...(body.value ?? []));
    next = body.nextLink ?? undefined;
  }
  return out;
}

export function listSubscriptions(
  credential: TokenCredential,
  endpoints: AzureEndpoints,
): Promise<SubscriptionInfo[]> {
  return listArm<SubscriptionInfo>(
    credential,
    endpoints,
    '/subscriptions?api-version=2022-12-01',
    'list your subscriptions',
  );
}

export async function listResourceGroups(
  credential: TokenCredential,
  endpoints: AzureEndpoints,
  subscriptionId: string,
): Promise<{ name: string; location: string; tags?: Record<string, string> }[]> {
  return listArm(
    credential,
    endpoints,
    `/subscriptions/${subscriptionId}/resourcegroups?api-version=2021-04-01`,
    `list the resource groups of ${subscriptionId}`,
  );
}
