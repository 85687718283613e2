import type { ClientMetadata } from 'oidc-provider';
import { isLoopbackHost } from '../../core/net/loopback';
import { AZURE_CLIENT_ID, VSCODE_CLIENT_ID } from '../../core/well-known-ids';

/**
 * Loopback redirect URIs registered without a port. With `application_type: 'native'` oidc-provider
 * accepts them on any port, as RFC 8252 §7.3 requires for native apps that listen on an ephemeral
 * loopback port; the path must still match exactly.
 */
const LOOPBACK_REDIRECT_URIS = [
  'http://127.0.0.1/',
  'http://localhost/',
  'http://127.0.0.1/callback',
  'http://localhost/callback',
];

/**
 * Microsoft's first-party public clients, pre-registered with their real ids as an Entra tenant knows
 * them. Public clients (RFC 6749 §2.1): no secret, so oidc-provider requires PKCE S256 from them.
 */
export function createLabClients(o: { entra?: boolean } = {}): ClientMetadata[] {
  return [
    {
      client_id: VSCODE_CLIENT_ID,
      client_name: 'Visual Studio Code',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      // Entra mode: VS Code's app registration as its `microsoft` provider uses it — the vscode.dev
      // redirect (the protocol-handler flow of a remote extension host, response_mode=form_post) and public
      // client flows (the device code fallback). The page at vscode.dev never loads offline: the browser
      // side (Playwright routes in the tests) answers that URL locally.
      grant_types: o.entra
        ? ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']
        : ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: o.entra ? [...LOOPBACK_REDIRECT_URIS, VSCODE_DEV_REDIRECT_URI] : LOOPBACK_REDIRECT_URIS,
    },
    {
      client_id: AZURE_CLIENT_ID,
      client_name: 'Microsoft Azure CLI',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      redirect_uris: LOOPBACK_REDIRECT_URIS,
    },
  ];
}

/** The redirect URI of VS Code's app registration for the browser round trip through vscode.dev. */
export const VSCODE_DEV_REDIRECT_URI = 'https://vscode.dev/redirect';

/**
 * Whether a redirect URI is an `http` loopback URI (RFC 8252 §7.3), the only kind the lab lets a
 * dynamically registered client use: a lab client on this machine can receive the code, nobody else.
 */
export function isLoopbackRedirectUri(uri: unknown): boolean {
  if (typeof uri !== 'string' || !URL.canParse(uri)) return false;
  const parsed = new URL(uri);
  return parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname);
}
