/**
 * Turns what the Azure SDKs throw (RestError: `statusCode`, `code` from `{ error: { code, message } }`) and
 * what @azure/identity throws (CredentialUnavailableError, AuthenticationError) into SherpaErrors whose
 * hint says what to do — above all which role is missing on a 403.
 */
import { SherpaError } from '../errors';

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message: string;
  name?: string;
}

/** `doing` completes "Could not …", e.g. "list the container apps in rg-x". `role` is what that needs. */
export function toAzureError(err: unknown, doing: string, role = 'Reader'): SherpaError {
  if (err instanceof SherpaError) return err;
  const e = (typeof err === 'object' && err ? err : { message: String(err) }) as RestErrorLike;
  const name = e.name ?? '';
  if (
    name === 'CredentialUnavailableError' ||
    name === 'AggregateAuthenticationError' ||
    name === 'AuthenticationError'
  ) {
    return new SherpaError('AZURE_SIGN_IN_REQUIRED', `Could not ${doing}: not signed in to Azure`, {
      cause: err,
      hint: 'Sign in: `az login` (or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal); in VS Code run "Sherpa Azure: Sign In to Azure".',
    });
  }
  if (e.statusCode === 401) {
    return new SherpaError(
      'AZURE_SIGN_IN_REQUIRED',
      `Could not ${doing}: Azure refused the sign-in (${e.code ?? 401})`,
      {
        cause: err,
        hint: 'Sign in again (`az login`, or "Sherpa Azure: Sign In to Azure"); check the tenant and the endpoint settings.',
      },
    );
  }
  if (e.statusCode === 403) {
    const action = /perform action '([^']+)'/.exec(e.message)?.[1];
    return new SherpaError(
      'AZURE_FORBIDDEN',
      `Could not ${doing}: the signed-in account lacks the ${role} role${action ? ` (${action})` : ''}`,
      {
        cause: err,
        hint: `Ask an Owner of the subscription or resource group to assign you "${role}" there (az role assignment create --role "${role}" --assignee <you> --scope <scope>), then sign in again.`,
        details: { code: e.code, action },
      },
    );
  }
  if (e.statusCode === 404) {
    return new SherpaError('AZURE_NOT_FOUND', `Could not ${doing}: not found (${e.code ?? 404})`, {
      cause: err,
      hint: 'Check --subscription and --resource-group (the resource group azd created is AZURE_RESOURCE_GROUP in .azure/<env>/.env).',
    });
  }
  return new SherpaError(
    'AZURE_REQUEST_FAILED',
    `Could not ${doing}: ${e.code ?? e.statusCode ?? 'error'}: ${firstLine(e.message)}`,
    {
      cause: err,
    },
  );
}

function firstLine(s: string): string {
  return s.split(/\r?\n/)[0]!.slice(0, 300);
}
