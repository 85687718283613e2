/**
 * Verify Deployment (waypoint 6, done properly): each check is pass / fail / skip with the evidence it saw
 * and a one-line remedy. This file holds the checks over a {@link DeploymentSnapshot} (no I/O); the live
 * probes against the secure server are in ./live-probes.ts.
 */
import { BUILT_IN_ROLES, describeRole, EXPECTED_SECRET_NAMES } from './built-in-roles';
import type { DeploymentSnapshot, RoleAssignmentSnapshot } from './read-deployment';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface VerifyCheck {
  id: string;
  title: string;
  status: CheckStatus;
  evidence: string;
  remedy: string;
}

const lower = (s: string) => s.toLowerCase().replace(/\/$/, '');
/** True when an assignment at `scope` applies to `resource` (same scope or an ancestor of it). */
const covers = (scope: string, resource: string) =>
  lower(resource) === lower(scope) || lower(resource).startsWith(lower(scope) + '/');
const shortScope = (scope: string, s: DeploymentSnapshot) =>
  lower(scope) === lower(`/subscriptions/${s.subscriptionId}`)
    ? 'the subscription'
    : lower(scope) === lower(`/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}`)
      ? `resource group ${s.resourceGroup}`
      : scope.split('/').slice(-2).join('/');

export function envValue(s: DeploymentSnapshot, name: string): string | undefined {
  return s.secure?.env.find((e) => e.name === name)?.value;
}

/** The checks that read configuration (everything except the live probes), in report order. */
export function checkDeployment(s: DeploymentSnapshot): VerifyCheck[] {
  return [
    vaultSecrets(s),
    vaultRbacMode(s),
    secureIdentity(s),
    secureVaultRole(s),
    noTemporaryGrant(s),
    vulnerableNoVaultAccess(s),
    secureEnvNoSecrets(s),
    distinctClientIds(s),
    appRegistration(s),
    identifierUris(s),
  ];
}

function vaultSecrets(s: DeploymentSnapshot): VerifyCheck {
  const base = { id: 'vault-secrets', title: 'The vault holds the expected secrets' };
  if (!s.vault)
    return {
      ...base,
      status: 'fail',
      evidence: `no key vault in ${s.resourceGroup}`,
      remedy: 'Run `sherpa azure provision` (azd provision).',
    };
  const missing = EXPECTED_SECRET_NAMES.filter((n) => !s.vault!.secretNames.includes(n));
  return missing.length
    ? {
        ...base,
        status: 'fail',
        evidence: `${s.vault.name} lacks ${missing.join(', ')} (has: ${s.vault.secretNames.join(', ') || 'none'})`,
        remedy: 'Run `sherpa azure migrate-secrets` (Sherpa Azure: Migrate Secrets to Key Vault).',
      }
    : {
        ...base,
        status: 'pass',
        evidence: `${s.vault.name} has ${EXPECTED_SECRET_NAMES.join(', ')} (names read through Resource Manager; values never read)`,
        remedy: '',
      };
}

function vaultRbacMode(s: DeploymentSnapshot): VerifyCheck {
  const base = { id: 'vault-rbac-mode', title: 'The vault uses Azure RBAC (no access policies)' };
  if (!s.vault) return { ...base, status: 'skip', evidence: 'no vault', remedy: 'Provision first.' };
  return s.vault.rbac
    ? { ...base, status: 'pass', evidence: `${s.vault.name}: enableRbacAuthorization = true`, remedy: '' }
    : {
        ...base,
        status: 'fail',
        evidence: `${s.vault.name}: enableRbacAuthorization is not true (access policies)`,
        remedy: 'Set enableRbacAuthorization: true (infra/modules/key-vault.bicep) and re-provision.',
      };
}

function secureIdentity(s: DeploymentSnapshot): VerifyCheck {
  const base = { id: 'secure-identity', title: 'The secure app runs with its own user-assigned identity' };
  if (!s.secure)
    return {
      ...base,
      status: 'fail',
      evidence: `no container app tagged azd-service-name=secure in ${s.resourceGroup}`,
      remedy: 'Run `sherpa azure provision`.',
    };
  const ua = s.secure.userAssigned;
  if (ua.length !== 1 || s.secure.systemAssigned) {
    return {
      ...base,
      status: 'fail',
      evidence: `${s.secure.name} carries ${ua.length} user-assigned identities${s.secure.systemAssigned ? ' and a system-assigned one' : ''}`,
      remedy:
        'Give the secure app exactly one user-assigned identity (infra/main.bicep secureApp.identityId).',
    };
  }
  return {
    ...base,
    status: 'pass',
    evidence: `${s.secure.name} carries ${ua[0]!.id.split('/').pop()} (client id ${ua[0]!.clientId})`,
    remedy: '',
  };
}

function secureVaultRole(s: DeploymentSnapshot): VerifyCheck {
  const base = {
    id: 'secure-vault-role',
    title: 'The secure identity has Key Vault Secrets User on that vault, and nothing broader',
  };
  const principal = s.secure?.userAssigned[0]?.principalId;
  if (!principal || !s.vault)
    return {
      ...base,
      status: 'skip',
      evidence: 'no secure identity or no vault',
      remedy: 'Provision first.',
    };
  const roles = s.roles.get(principal) ?? [];
  const exact = roles.filter(
    (r) => r.roleGuid === BUILT_IN_ROLES.keyVaultSecretsUser && lower(r.scope) === lower(s.vault!.id),
  );
  const isPull = (r: RoleAssignmentSnapshot) =>
    r.roleGuid === BUILT_IN_ROLES.acrPull &&
    /\/providers\/Microsoft\.ContainerRegistry\/registries\/[^/]+$/i.test(r.scope);
  const broader = roles.filter((r) => !exact.includes(r) && !isPull(r));
  const listed = (rs: RoleAssignmentSnapshot[]) =>
    rs.map((r) => `${describeRole(r.roleGuid)} at ${shortScope(r.scope, s)}`).join('; ');
  if (exact.length && !broader.length) {
    return {
      ...base,
      status: 'pass',
      evidence: `${describeRole(BUILT_IN_ROLES.keyVaultSecretsUser)} at ${s.vault.name}; otherwise only ${listed(roles.filter(isPull)) || 'nothing'}`,
      remedy: '',
    };
  }
  return {
    ...base,
    status: 'fail',
    evidence:
      `${exact.length ? '' : `no Key Vault Secrets User at ${s.vault.name}. `}${broader.length ? `Also holds: ${listed(broader)}` : ''}`.trim(),
    remedy: `Assign Key Vault Secrets User (${BUILT_IN_ROLES.keyVaultSecretsUser}) scoped to ${s.vault.name} only and remove the rest (infra/modules/key-vault.bicep).`,
  };
}

function noTemporaryGrant(s: DeploymentSnapshot): VerifyCheck {
  const base = {
    id: 'vault-no-temporary-grant',
    title: 'No temporary Key Vault Secrets Officer grant is left on the vault',
  };
  if (!s.vault) return { ...base, status: 'skip', evidence: 'no vault', remedy: 'Provision first.' };
  const left = s.vault.temporaryGrants;
  if (!left.length) {
    return {
      ...base,
      status: 'pass',
      evidence: `no role assignment on ${s.vault.name} is marked as Migrate Secrets' temporary grant`,
      remedy: '',
    };
  }
  return {
    ...base,
    status: 'fail',
    evidence: `${left.length} temporary ${describeRole(BUILT_IN_ROLES.keyVaultSecretsOfficer)} grant(s) left on ${s.vault.name} by an interrupted Migrate Secrets run: ${left.map((g) => `principal ${g.principalId} (${g.id.split('/').pop()})`).join('; ')}`,
    remedy: `Run Migrate Secrets again (it removes its leftover grants first) or \`az role assignment delete --ids ${left[0]!.id}\`.`,
  };
}

function vulnerableNoVaultAccess(s: DeploymentSnapshot): VerifyCheck {
  const base = { id: 'vulnerable-no-vault-access', title: 'The vulnerable app cannot read the vault' };
  if (!s.vulnerable || !s.vault)
    return { ...base, status: 'skip', evidence: 'no vulnerable app or no vault', remedy: 'Provision first.' };
  const secureIds = new Set(s.secure?.userAssigned.map((u) => lower(u.id)) ?? []);
  const shared = s.vulnerable.userAssigned.filter((u) => secureIds.has(lower(u.id)));
  if (shared.length) {
    return {
      ...base,
      status: 'fail',
      evidence: `${s.vulnerable.name} carries the secure app's identity ${shared[0]!.id.split('/').pop()} — exploiting it reaches the vault`,
      remedy: 'Give the vulnerable app its own identity with AcrPull only (infra/modules/identities.bicep).',
    };
  }
  const reaching = s.vulnerable.userAssigned.flatMap((u) =>
    (s.roles.get(u.principalId ?? '') ?? []).filter((r) => covers(r.scope, s.vault!.id)),
  );
  if (reaching.length || s.vulnerable.systemAssigned) {
    return {
      ...base,
      status: 'fail',
      evidence:
        reaching.map((r) => `${describeRole(r.roleGuid)} at ${shortScope(r.scope, s)}`).join('; ') ||
        'a system-assigned identity (not checked)',
      remedy: "Remove every role of the vulnerable app's identity that covers the vault.",
    };
  }
  return {
    ...base,
    status: 'pass',
    evidence: `${s.vulnerable.name}'s identities (${s.vulnerable.userAssigned.map((u) => u.id.split('/').pop()).join(', ') || 'none'}) hold no role covering ${s.vault.name}`,
    remedy: '',
  };
}

/** Names and values that look like credentials (the vulnerable app's REQUIRED_TOKEN is the lesson; the secure app has none). */
const SECRET_NAME =
  /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CONNECTION_?STRING|CREDENTIAL)/i;
const SECRET_VALUE = [
  /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/, // a JWT
  /AccountKey=|SharedAccessKey=|Password=|pwd=/i, // connection strings
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^(sk|pk|rk)_(live|test)_\w{16,}/, // API keys
  /^camp1_demo_token/, // the workshop's static token
];

function secureEnvNoSecrets(s: DeploymentSnapshot): VerifyCheck {
  const base = {
    id: 'secure-env-no-secrets',
    title: "The secure app's environment holds configuration only (no secret values)",
  };
  if (!s.secure) return { ...base, status: 'skip', evidence: 'no secure app', remedy: 'Provision first.' };
  // An entry backed by `secretRef` carries no value: Container Apps injects a secret of the app (a stored
  // value or a Key Vault reference read by the app's identity) — the right way, whatever its name says.
  const referenced = s.secure.env.filter((e) => e.secretRef !== undefined);
  const suspicious = s.secure.env.filter(
    (e) =>
      e.secretRef === undefined &&
      (SECRET_NAME.test(e.name) || SECRET_VALUE.some((re) => re.test(e.value ?? ''))),
  );
  const how = (ref: string) =>
    s.secure!.secrets.find((x) => x.name === ref)?.keyVaultUrl
      ? 'Key Vault reference'
      : 'Container Apps secret';
  const refs = referenced.length
    ? `; from secrets: ${referenced.map((e) => `${e.name} (secretRef ${e.secretRef}, ${how(e.secretRef!)})`).join(', ')}`
    : '';
  // Names only in the evidence: a secret found in the env must not be copied into a report.
  return suspicious.length
    ? {
        ...base,
        status: 'fail',
        evidence: `secret-looking literal values: ${suspicious.map((e) => e.name).join(', ')}${refs}`,
        remedy:
          'Move the value to Key Vault (sherpa azure migrate-secrets) and read it with the managed identity, or reference it as a Container Apps secret (secretRef); remove the literal from the app.',
      }
    : {
        ...base,
        status: 'pass',
        evidence: `${s.secure.env.length} settings, no secret-looking literal: ${s.secure.env
          .filter((e) => e.secretRef === undefined)
          .map((e) => e.name)
          .join(', ')}${refs}`,
        remedy: '',
      };
}

function distinctClientIds(s: DeploymentSnapshot): VerifyCheck {
  const base = {
    id: 'distinct-client-ids',
    title: 'Audience and managed-identity client ids are different settings',
  };
  if (!s.secure) return { ...base, status: 'skip', evidence: 'no secure app', remedy: 'Provision first.' };
  const api = envValue(s, 'SHERPA_API_CLIENT_ID');
  const mi = envValue(s, 'MANAGED_IDENTITY_CLIENT_ID');
  const carried = s.secure.userAssigned.map((u) => u.clientId);
  if (!api)
    return {
      ...base,
      status: 'fail',
      evidence: 'SHERPA_API_CLIENT_ID is not set',
      remedy: 'Run `sherpa azure register`, then `sherpa azure configure`.',
    };
  if (!mi)
    return {
      ...base,
      status: 'fail',
      evidence: 'MANAGED_IDENTITY_CLIENT_ID is not set',
      remedy: "Set it to the secure identity's client id (AZURE_MANAGED_IDENTITY_CLIENT_ID output).",
    };
  if (api === mi)
    return {
      ...base,
      status: 'fail',
      evidence: `SHERPA_API_CLIENT_ID and MANAGED_IDENTITY_CLIENT_ID are both ${api}: one of token validation or Key Vault breaks`,
      remedy:
        "Audience = the app registration's client id; Key Vault = the managed identity's own client id.",
    };
  if (!carried.includes(mi))
    return {
      ...base,
      status: 'fail',
      evidence: `MANAGED_IDENTITY_CLIENT_ID ${mi} is not an identity the app carries (${carried.join(', ')})`,
      remedy: "Set MANAGED_IDENTITY_CLIENT_ID to the secure identity's client id.",
    };
  return {
    ...base,
    status: 'pass',
    evidence: `audience ${api} (app registration) ≠ managed identity ${mi} (carried by ${s.secure.name})`,
    remedy: '',
  };
}

function appRegistration(s: DeploymentSnapshot): VerifyCheck {
  const base = {
    id: 'app-registration',
    title: 'The API app registration exists, issues v2 tokens and exposes access_as_user',
  };
  const api = envValue(s, 'SHERPA_API_CLIENT_ID');
  if (!api)
    return {
      ...base,
      status: 'skip',
      evidence: 'SHERPA_API_CLIENT_ID is not set on the secure app',
      remedy: 'Run `sherpa azure register`, then `sherpa azure configure`.',
    };
  if (s.applicationError)
    return {
      ...base,
      status: 'fail',
      evidence: `Graph: ${s.applicationError}`,
      remedy: 'Sign in with an account that may read applications (Application.Read.All).',
    };
  const a = s.application;
  if (!a)
    return {
      ...base,
      status: 'fail',
      evidence: `no application with appId ${api}`,
      remedy: 'Run `sherpa azure register` and `sherpa azure configure`.',
    };
  const v2 = a.api?.requestedAccessTokenVersion === 2;
  const scope = a.api?.oauth2PermissionScopes?.some(
    (sc) => sc.value === 'access_as_user' && sc.isEnabled !== false,
  );
  return v2 && scope
    ? {
        ...base,
        status: 'pass',
        evidence: `${a.displayName ?? a.appId}: requestedAccessTokenVersion 2, scope access_as_user`,
        remedy: '',
      }
    : {
        ...base,
        status: 'fail',
        evidence:
          `${a.displayName ?? a.appId}: ${v2 ? '' : `requestedAccessTokenVersion ${a.api?.requestedAccessTokenVersion ?? 'null'}; `}${scope ? '' : 'no enabled access_as_user scope'}`.trim(),
        remedy: 'Run `sherpa azure register` again: it repairs drift.',
      };
}

function identifierUris(s: DeploymentSnapshot): VerifyCheck {
  const base = {
    id: 'identifier-uris',
    title: "The app registration's identifier URIs include the server URL (or the documented fallback holds)",
  };
  const a = s.application;
  const url = envValue(s, 'SHERPA_RESOURCE_URL');
  if (!a || !url)
    return {
      ...base,
      status: 'skip',
      evidence: a ? 'SHERPA_RESOURCE_URL is not set' : 'no app registration found',
      remedy: 'Register and configure first.',
    };
  const uris = a.identifierUris.map(lower);
  if (uris.includes(lower(url)))
    return {
      ...base,
      status: 'pass',
      evidence: `identifierUris include ${url}: resource=${url} is accepted (no AADSTS9010010)`,
      remedy: '',
    };
  const fallbackScope = `api://${a.appId}/access_as_user`;
  const scopes =
    envValue(s, 'SHERPA_SCOPES_SUPPORTED')
      ?.split(',')
      .map((x) => x.trim()) ?? [];
  if (uris.includes(lower(`api://${a.appId}`)) && scopes.includes(fallbackScope)) {
    return {
      ...base,
      status: 'pass',
      evidence: `fallback: identifierUris [${a.identifierUris.join(', ')}] and scopes_supported ${fallbackScope}; clients must omit resource for Entra`,
      remedy: '',
    };
  }
  return {
    ...base,
    status: 'fail',
    evidence: `identifierUris [${a.identifierUris.join(', ')}] lack ${url}, and the api:// fallback is not configured`,
    remedy:
      'Run `sherpa azure register` (adds the URL, or applies the api:// fallback) and `sherpa azure configure`.',
  };
}
