/**
 * What an MCP client nobody here wrote did at the lab, read from the lab's own log lines
 * (src/servers/authz/request-log.ts: "client registered", "authorization request", "token request"), and the
 * recorded row it must equal (test/interop/measured-clients.json). A client that changes how it registers,
 * which redirect URI it uses, whether it sends `resource`, the scopes it asks or whether it refreshes makes
 * its test fail on that field — the data file and docs/compatibility-clients.md are then updated on purpose.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VSCODE_CLIENT_ID, AZURE_CLIENT_ID } from '../../../src/core/well-known-ids';
import { REPO_ROOT } from '../lab';

export interface LabRequest {
  msg: 'client registered' | 'authorization request' | 'token request';
  fields: Record<string, unknown>;
}

/** The lab's request lines in `logs` (its stderr), from offset `from` on. */
export function labRequests(logs: string, from = 0): LabRequest[] {
  const out: LabRequest[] = [];
  for (const line of logs.slice(from).split('\n')) {
    const m = /\[authz\] (client registered|authorization request|token request) (\{.*\})$/.exec(line);
    if (m) out.push({ msg: m[1] as LabRequest['msg'], fields: JSON.parse(m[2]!) as Record<string, unknown> });
  }
  return out;
}

/** One row of measured-clients.json: what is asserted (`measured`) and what is only documented (`notes`). */
export interface MeasuredClient {
  client: string;
  version: string;
  lab: 'lab' | 'entra';
  measured: ClientBehaviour;
  notes: string;
}

export interface ClientBehaviour {
  /** How the client id came to be: RFC 7591 DCR, a pre-registered id, or a CIMD URL as client_id. */
  registration: 'DCR' | 'pre-registered' | 'CIMD';
  /** The redirect URI with the port as `{port}` (the host as sent: `localhost` vs `127.0.0.1`). */
  redirectUri: string;
  /** Whether the authorization request carried RFC 8707 `resource` (and if so, it equalled PRM `resource`). */
  sendsResource: boolean;
  /** Scopes asked at /authorize, sorted, the server URL written as `{server}`. */
  scopes: string[];
  offlineAccess: boolean;
  /** The `prompt` it sent at /authorize (OIDC Core §3.1.2.1), or null. */
  prompt: string | null;
  /** Whether it redeemed a refresh token when its access token was refused (see each test for how). */
  refresh: 'used' | 'not used' | 'no refresh token' | 'no token';
  /** Whether the code redemption repeated `resource` (null: the lab redeemed no code for it). */
  resourceAtToken: boolean | null;
  /** RFC 7591 `token_endpoint_auth_method` it registered with (null: not registered here). */
  registeredAuthMethod: string | null;
}

const DATA = join(REPO_ROOT, 'test', 'interop', 'measured-clients.json');

/**
 * Derives the behaviour from the lab's request lines of ONE sign-in (registration if any, the
 * authorization request, the code redemption, and any refresh after it).
 */
export function behaviourFrom(requests: LabRequest[], serverUrl: string): ClientBehaviour {
  const authz = requests.filter((r) => r.msg === 'authorization request');
  // A client that retries a failed sign-in sends the same request again: the first one is measured.
  assert.ok(authz.length >= 1, `no authorization request: ${JSON.stringify(requests)}`);
  const a = authz[0]!.fields;
  const clientId = String(a.client_id);
  const registered = requests.some((r) => r.msg === 'client registered' && r.fields.client_id === clientId);
  const registration: ClientBehaviour['registration'] = registered
    ? 'DCR'
    : clientId === VSCODE_CLIENT_ID || clientId === AZURE_CLIENT_ID
      ? 'pre-registered'
      : /^https:\/\//.test(clientId)
        ? 'CIMD'
        : (assert.fail(`client id ${clientId} was neither registered here nor pre-registered`) as never);
  const redirect = new URL(String(a.redirect_uri));
  const redirectUri = `${redirect.protocol}//${redirect.hostname}${redirect.port ? ':{port}' : ''}${redirect.pathname}`;
  if (a.resource !== undefined) assert.equal(a.resource, serverUrl, 'resource = the PRM resource');
  const scopes = String(a.scope ?? '')
    .split(' ')
    .filter(Boolean)
    .map((s) => s.replace(serverUrl, '{server}'))
    .sort();
  const tokens = requests.filter((r) => r.msg === 'token request' && r.fields.client_id === clientId);
  const code = tokens.find((t) => t.fields.grant_type === 'authorization_code');
  const registration_ = requests.find(
    (r) => r.msg === 'client registered' && r.fields.client_id === clientId,
  );
  const refreshed = tokens.some((t) => t.fields.grant_type === 'refresh_token');
  return {
    registration,
    redirectUri,
    sendsResource: a.resource !== undefined,
    scopes,
    offlineAccess: scopes.includes('offline_access'),
    prompt: typeof a.prompt === 'string' ? a.prompt : null,
    refresh: !code
      ? 'no token'
      : refreshed
        ? 'used'
        : scopes.includes('offline_access')
          ? 'not used'
          : 'no refresh token',
    resourceAtToken: code ? code.fields.resource !== undefined : null,
    registeredAuthMethod:
      typeof registration_?.fields.token_endpoint_auth_method === 'string'
        ? registration_.fields.token_endpoint_auth_method
        : null,
  };
}

/** Asserts the measured behaviour equals the recorded row, field by field (a drift names its field). */
export function assertRecorded(client: string, lab: MeasuredClient['lab'], measured: ClientBehaviour): void {
  const rows = (JSON.parse(readFileSync(DATA, 'utf8')) as { clients: MeasuredClient[] }).clients;
  const row = rows.find((r) => r.client === client && r.lab === lab);
  assert.ok(
    row,
    `no row for ${client} at ${lab} in test/interop/measured-clients.json; measured: ${JSON.stringify(measured)}`,
  );
  assert.deepEqual(
    measured,
    row.measured,
    `${client} at ${lab} no longer behaves as recorded in test/interop/measured-clients.json`,
  );
}

/**
 * A client that refused the authorization server before sending anyone to it: the lab saw no authorization
 * and no token request from it (`requests` of that run), and its row records exactly that — nothing asked, no
 * resource, no prompt, no token — with the refusal itself in the row's notes. The row keeps the client's
 * configured registration and redirect URI, which nothing here can measure.
 */
export function assertRecordedRefusal(
  client: string,
  lab: MeasuredClient['lab'],
  requests: LabRequest[],
): void {
  const sent = requests.filter((r) => r.msg !== 'client registered');
  assert.deepEqual(sent, [], `${client} was expected to refuse before /authorize but the lab saw requests`);
  const rows = (JSON.parse(readFileSync(DATA, 'utf8')) as { clients: MeasuredClient[] }).clients;
  const row = rows.find((r) => r.client === client && r.lab === lab);
  assert.ok(row, `no row for ${client} at ${lab} in test/interop/measured-clients.json`);
  const { scopes, sendsResource, offlineAccess, prompt, refresh, resourceAtToken, registeredAuthMethod } =
    row.measured;
  assert.deepEqual(
    { scopes, sendsResource, offlineAccess, prompt, refresh, resourceAtToken, registeredAuthMethod },
    {
      scopes: [],
      sendsResource: false,
      offlineAccess: false,
      prompt: null,
      refresh: 'no token',
      resourceAtToken: null,
      registeredAuthMethod: null,
    },
    `${client} at ${lab}: the row must record that nothing reached the lab`,
  );
}
