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
  /** Whether it redeemed a refresh token when its access token was refused (see each test for how). */
  refresh: 'used' | 'not used' | 'no refresh token';
  /** Whether the token request repeated `resource`. */
  resourceAtToken: boolean;
}

const DATA = join(REPO_ROOT, 'test', 'interop', 'measured-clients.json');

/**
 * Derives the behaviour from the lab's request lines of ONE sign-in (registration if any, the
 * authorization request, the code redemption, and any refresh after it).
 */
export function behaviourFrom(requests: LabRequest[], serverUrl: string): ClientBehaviour {
  const authz = requests.filter((r) => r.msg === 'authorization request');
  assert.equal(authz.length, 1, `one authorization request expected: ${JSON.stringify(requests)}`);
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
  assert.ok(code, `no code redemption by ${clientId}: ${JSON.stringify(requests)}`);
  const refreshed = tokens.some((t) => t.fields.grant_type === 'refresh_token');
  return {
    registration,
    redirectUri,
    sendsResource: a.resource !== undefined,
    scopes,
    offlineAccess: scopes.includes('offline_access'),
    refresh: refreshed ? 'used' : scopes.includes('offline_access') ? 'not used' : 'no refresh token',
    resourceAtToken: code.fields.resource !== undefined,
  };
}

/** Asserts the measured behaviour equals the recorded row, field by field (a drift names its field). */
export function assertRecorded(client: string, lab: MeasuredClient['lab'], measured: ClientBehaviour): void {
  const rows = (JSON.parse(readFileSync(DATA, 'utf8')) as { clients: MeasuredClient[] }).clients;
  const row = rows.find((r) => r.client === client && r.lab === lab);
  assert.ok(row, `no row for ${client} at ${lab} in test/interop/measured-clients.json; measured: ${JSON.stringify(measured)}`);
  assert.deepEqual(
    measured,
    row.measured,
    `${client} at ${lab} no longer behaves as recorded in test/interop/measured-clients.json`,
  );
}
