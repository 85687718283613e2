/**
 * What an MCP client nobody here wrote did at the lab, read from the lab's own log lines
 * (src/servers/authz/request-log.ts: "client registered", "authorization request", "token request"), and the
 * recorded row it must equal (test/interop/client-behaviour.json). A client that changes how it registers,
 * which redirect URI it uses, whether it sends `resource`, the scopes it asks or whether it refreshes makes
 * its test fail on that field — the data file and docs/compatibility.md's client section are then updated on
 * purpose. The same run writes the client's compatibility-matrix row (recordClientCell → support/compat-matrix.ts):
 * the behaviour lives in client-behaviour.json, the matrix row in measured-clients.json, one home each.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VSCODE_CLIENT_ID, AZURE_CLIENT_ID } from '../../../src/core/well-known-ids';
import { REPO_ROOT } from '../lab';
import { recordCompatRow, SHERPA_SECURE_SERVER, type CompatRow } from '../compat-matrix';

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

/** One row of client-behaviour.json: what is asserted (`measured`) and what is only documented (`notes`). */
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

const DATA = join(REPO_ROOT, 'test', 'interop', 'client-behaviour.json');

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
    `no row for ${client} at ${lab} in test/interop/client-behaviour.json; measured: ${JSON.stringify(measured)}`,
  );
  assert.deepEqual(
    measured,
    row.measured,
    `${client} at ${lab} no longer behaves as recorded in test/interop/client-behaviour.json`,
  );
}

const SHERPA_VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** The matrix's sign-in cell in words, from what the lab's log saw (`FAILED — why` when `failed` is given). */
export function signInCell(b: ClientBehaviour, failed?: string): string {
  const registration = b.registration === 'DCR' ? `DCR (${b.registeredAuthMethod ?? '?'})` : b.registration;
  const detail = [
    registration,
    b.redirectUri,
    b.sendsResource ? 'resource sent' : 'no resource',
    `scope ${b.scopes.join(' ')}`,
    ...(b.prompt ? [`prompt=${b.prompt}`] : []),
    `refresh ${b.refresh}`,
  ].join(', ');
  return failed ? `FAILED — ${failed} (${detail})` : `ok — ${detail}`;
}

/**
 * Writes the client's matrix row (client × Sherpa's secure server × lab mode). `bobRefused` is what the
 * secure server answered bob's get_user_info(user_001) through this client: the client cells have no audit
 * (`sherpa audit` examines servers), so that column carries the object-level refusal instead.
 */
export function recordClientCell(o: {
  client: string;
  clientVersion: string;
  lab: MeasuredClient['lab'];
  behaviour: ClientBehaviour;
  /** `ok — tools/list (N), tools/call whoami` or `FAILED — why`. */
  tools: string;
  /** The refusal text bob got (its test asserted it), or null when the client never got that far. */
  bobRefused: string | null;
  failed?: string;
  notes: string;
  test: string;
}): void {
  const row: CompatRow = {
    group: 'clients',
    client: o.client,
    clientVersion: o.clientVersion,
    server: SHERPA_SECURE_SERVER,
    serverVersion: `sherpa@${SHERPA_VERSION}`,
    labMode: o.lab === 'entra' ? 'sherpa lab --entra' : 'sherpa lab',
    signIn: signInCell(o.behaviour, o.failed),
    tools: o.tools,
    audit:
      o.bobRefused === null
        ? 'n/a (client); bob not tried: no token'
        : `n/a (client); bob refused alice's record (get_user_info: "${/^[^:.]*/.exec(o.bobRefused)![0]}")`,
    notes: o.notes,
    test: o.test,
  };
  recordCompatRow(row);
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
  assert.ok(row, `no row for ${client} at ${lab} in test/interop/client-behaviour.json`);
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

/** The recorded behaviour row of `client` at `lab` (for a client whose run the lab never saw: a refusal). */
export function recordedBehaviour(client: string, lab: MeasuredClient['lab']): ClientBehaviour {
  const rows = (JSON.parse(readFileSync(DATA, 'utf8')) as { clients: MeasuredClient[] }).clients;
  const row = rows.find((r) => r.client === client && r.lab === lab);
  assert.ok(row, `no row for ${client} at ${lab} in test/interop/client-behaviour.json`);
  return row.measured;
}
