import type { ClientMetadata } from 'oidc-provider';
import type Provider from 'oidc-provider';
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

/**
 * Words a self-registered client may not pass off as its name: the lab's pre-registered first-party
 * clients are "Visual Studio Code" and "Microsoft Azure CLI", and the device-code page shows a client's
 * name as the app asking to sign in ("… on another device wants to sign in as you"). Compared on the name
 * folded to ASCII letters and digits, so "V S-Code" or "ＶＳＣｏｄｅ" (full width) count too.
 */
const RESERVED_NAME_WORDS = ['visualstudio', 'vscode', 'microsoft', 'azure', 'entra', 'windows'];

/** What the lab puts before a reserved-looking name: the page then says who is really asking. */
export const UNVERIFIED_NAME_PREFIX = 'Unverified app calling itself ';

/**
 * RFC 7591 §2 lets the server replace requested metadata: a `client_name` that claims a first-party name
 * (or mixes in non-ASCII letters, the usual way around a word list: Cyrillic "Місrosoft") is kept only
 * behind UNVERIFIED_NAME_PREFIX, quoted. Refusing it instead would lock out real VS Code, which registers
 * under its product name wherever DCR is offered. Returns the name to store.
 */
export function labelSelfRegisteredName(name: string): string {
  if (name.startsWith(UNVERIFIED_NAME_PREFIX)) return name;
  const folded = name.normalize('NFKC').toLowerCase();
  const letters = folded.replace(/[^a-z0-9]/g, '');
  const foreign = /[^\x20-\x7e]/.test(folded);
  if (!foreign && !RESERVED_NAME_WORDS.some((w) => letters.includes(w))) return name;
  return `${UNVERIFIED_NAME_PREFIX}"${name}"`;
}

/** Default life of a dynamically registered client: a day, then it must register again. */
export const DEFAULT_REGISTRATION_TTL_SECONDS = 24 * 3600;

/**
 * RFC 7591 §3.2.1: `client_secret_expires_at` tells a confidential client when its registration ends
 * (the lab store drops the client then, lab-store.ts); oidc-provider always answers 0 ("never"), so the
 * registration response is corrected to the real time.
 */
export function announceRegistrationExpiry(provider: Provider, ttlSeconds: number): void {
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { client_secret?: unknown; client_id_issued_at?: unknown } | undefined;
    if (ctx.oidc?.route !== 'registration' || ctx.status !== 201 || !body?.client_secret) return;
    const issuedAt = typeof body.client_id_issued_at === 'number' ? body.client_id_issued_at : 0;
    Object.assign(body, { client_secret_expires_at: issuedAt + ttlSeconds });
  });
}
