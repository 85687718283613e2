/**
 * Signing in at `sherpa lab --entra` the way VS Code's pre-authorised client does, through the lab route
 * (its proxy and CA: test code reaching login.microsoftonline.com as a client behind a TLS proxy would):
 * authorization code + PKCE S256 with a loopback redirect. One home for the lab-entra tests and the
 * ASP.NET Core interop tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { LAB_TENANT_ID, type LabUser } from '../../src/servers/shared/lab-defaults';
import { driveLabLogin, type LabRoute } from '../../src/lab/lab-login';
import { VSCODE_CLIENT_ID } from '../../src/core/well-known-ids';

export const ENTRA_LAB_AUTHORITY = `https://login.microsoftonline.com/${LAB_TENANT_ID}`;
/** The loopback redirect URI the requests name (no receiver listens: driveLabLogin stops at it). */
export const ENTRA_LAB_REDIRECT = 'http://127.0.0.1:53682/callback';

/** A PKCE verifier and its S256 challenge (RFC 7636 §4.1–4.2). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An authorization request of VS Code's client with a loopback redirect and PKCE S256; `params` add or override. */
export function entraAuthorizeUrl(challenge: string, params: Record<string, string>): URL {
  const url = new URL(`${ENTRA_LAB_AUTHORITY}/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({
    client_id: VSCODE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: ENTRA_LAB_REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...params,
  }).toString();
  return url;
}

/** The whole sign-in of `user` for `scope` (plus openid) through the lab route: the access token. */
export async function signInThroughEntraLab(route: LabRoute, user: LabUser, scope: string): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const url = entraAuthorizeUrl(challenge, { scope: `openid ${scope}` });
  const code = (await driveLabLogin(url, user, route)).searchParams.get('code');
  assert.ok(code, 'the lab gave no code');
  const res = await route.fetch(`${ENTRA_LAB_AUTHORITY}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: VSCODE_CLIENT_ID,
      code,
      redirect_uri: ENTRA_LAB_REDIRECT,
      code_verifier: verifier,
    }).toString(),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { access_token: string }).access_token;
}
