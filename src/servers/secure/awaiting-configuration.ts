import { sendJson } from '../shared/http-reply';
import type { Authenticate } from '../shared/mcp-app';

/**
 * The secure server before its API app registration exists (the first `azd provision`): it starts,
 * answers its health path and serves its Protected Resource Metadata, and answers every MCP request
 * with 503 naming what to run — it never accepts a token, because without the API app's client id it
 * cannot check the `aud` claim (RFC 9068 §4 requires it). Exiting instead would leave Container Apps
 * restarting a crash-looping revision, which can fail the deployment itself.
 */
export const AWAITING_CONFIGURATION = 'awaiting-configuration';

export function awaitingConfigurationMessage(missing: string[]): string {
  return (
    `This MCP server is awaiting configuration: ${missing.join(', ')} is not set, so it cannot check ` +
    'any token and accepts none. Run `sherpa azure register` (creates the API app registration), then ' +
    '`sherpa azure configure` (sets SHERPA_API_CLIENT_ID on this app and in the azd environment).'
  );
}

/**
 * An {@link Authenticate} that refuses every request with 503 (RFC 9110 §15.6.4: temporarily unable to
 * handle it) and a JSON-RPC error whose `data.state` lets a client tell this from an outage. No
 * WWW-Authenticate challenge: no token would be accepted, so inviting a sign-in would only waste one.
 */
export function awaitingConfigurationAuth(missing: string[]): Authenticate {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    error: {
      code: -32000,
      message: awaitingConfigurationMessage(missing),
      data: { state: AWAITING_CONFIGURATION, missing },
    },
    id: null,
  });
  return (_req, res) => {
    sendJson(res, 503, body, { 'Retry-After': '60' });
    return null;
  };
}
