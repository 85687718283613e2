/**
 * The shapes Azure allows for the ids and names Sherpa passes on — to azd and az as arguments, into
 * Resource Manager paths and into Microsoft Graph OData filters. Everything that arrives from a flag, a
 * setting, an azd environment file or a service response is checked here before it is used, so a value
 * such as `0000…; echo INJECTED` is refused with an error naming where it came from, never run or
 * spliced into a query.
 */
import { SherpaError } from '../errors';

/** A GUID in its canonical 8-4-4-4-12 hexadecimal form: subscription, tenant, client and object ids. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resource group names: 1-90 letters, digits, underscores, parentheses, hyphens and periods, not ending
 * in a period (Azure's resource name rules for Microsoft.Resources/resourcegroups; letters and digits
 * include Unicode ones, as Azure's do).
 * @see https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftresources
 */
const RESOURCE_GROUP = /^[\p{L}\p{N}_().-]{0,89}[\p{L}\p{N}_()-]$/u;

/**
 * azd environment names: azd's own rule (`EnvironmentNameRegexp` in Azure/azure-dev, the same as an ARM
 * deployment name): 1-64 ASCII letters, digits, hyphens, underscores, periods and parentheses.
 */
const AZD_ENV_NAME = /^[A-Za-z0-9_().-]{1,64}$/;

/** A tenant: its id, or a domain (`contoso.onmicrosoft.com`), or Entra's `organizations` / `common`. */
const TENANT = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Azure region names as the CLIs take them (`eastus`, `westeurope`, `usgovvirginia`). */
const LOCATION = /^[a-z0-9]{1,40}$/i;

export const isGuid = (v: unknown): v is string => typeof v === 'string' && GUID.test(v);

function refuse(what: string, value: string, rule: string): never {
  // The value is shown as JSON so control characters or a shell payload are visible, never acted on.
  throw new SherpaError(
    'BAD_ARGUMENT',
    `${what} must be ${rule}; got ${JSON.stringify(value.slice(0, 80))}`,
    {
      hint: `Correct ${what} (it is passed to Azure and to azd/az as a single argument, so it is checked first).`,
    },
  );
}

/** Returns `value` when it is a GUID; otherwise a BAD_ARGUMENT SherpaError naming `what`. */
export function requireGuid(value: string, what: string): string {
  if (!isGuid(value)) refuse(what, value, 'a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)');
  return value;
}

export function requireTenant(value: string, what: string): string {
  if (!TENANT.test(value)) refuse(what, value, 'a tenant id (GUID) or domain name');
  return value;
}

export function requireResourceGroupName(value: string, what: string): string {
  if (!RESOURCE_GROUP.test(value))
    refuse(
      what,
      value,
      'a resource group name (1-90 letters, digits, _ ( ) - and ., not ending in a period)',
    );
  return value;
}

export function requireAzdEnvName(value: string, what: string): string {
  if (!AZD_ENV_NAME.test(value))
    refuse(what, value, 'an azd environment name (1-64 letters, digits, - _ . ( ))');
  return value;
}

export function requireLocation(value: string, what: string): string {
  if (!LOCATION.test(value)) refuse(what, value, 'an Azure region name such as eastus');
  return value;
}

/**
 * An OData string literal: single quotes doubled, then quoted (OData ABNF `SQUOTE-in-string`). Callers
 * still validate ids as GUIDs first; this keeps a value that slipped through inside its literal.
 * @see https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part2-url-conventions.html#sec_URLSyntax
 */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
