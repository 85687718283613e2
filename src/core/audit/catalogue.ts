/**
 * Every check the audit runs, as data: id, title, level, OWASP MCP Top 10 item, the clause it tests and
 * the remedy. The probes (checks-*.ts) only observe; what a check means lives here, once, so the CLI,
 * the extension's view, Markdown and SARIF all say the same thing.
 */
import type { CheckInfo } from './findings';

const MCP_AUTH = 'MCP authorization 2025-11-25';

function check(id: string, c: Omit<CheckInfo, 'id'>): CheckInfo {
  return { id, ...c };
}

/** A sign-in prediction for one client: information, not a defect of the server by itself. */
function compat(client: string): Omit<CheckInfo, 'id'> {
  return {
    title: `${client} can sign in (predicted, nobody signs in)`,
    level: 'info',
    owasp: [],
    spec: `${MCP_AUTH} §Authorization Flow Steps; client behaviour from src/core/audit/client-profiles.ts (sources there)`,
    remedy: `Make the server's PRM and authorization server acceptable to ${client} (the detail says what breaks).`,
  };
}

export const CHECKS = {
  // Without a token (MCP07: insufficient authentication)
  unauthInitialize: check('unauth.initialize-401', {
    title: 'initialize without a token is refused with 401',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Access Token Usage ("MUST … respond with HTTP 401"); RFC 6750 §3.1`,
    remedy: 'Require a bearer token on every MCP request, initialize included, and answer 401 without one.',
  }),
  unauthToolsList: check('unauth.tools-list-401', {
    title: 'tools/list without a token is refused with 401',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Access Token Usage; RFC 6750 §3.1`,
    remedy: 'Check the token before dispatching any JSON-RPC method, not only on initialize.',
  }),
  challenge: check('unauth.www-authenticate', {
    title: '401 carries a Bearer WWW-Authenticate challenge',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 9110 §15.5.2 (a 401 MUST send WWW-Authenticate); RFC 6750 §3',
    remedy: 'Send `WWW-Authenticate: Bearer …` with every 401.',
  }),
  challengeResourceMetadata: check('unauth.resource-metadata', {
    title: 'The challenge points to the Protected Resource Metadata',
    level: 'should',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Protected Resource Metadata Discovery; RFC 9728 §5.1`,
    remedy: 'Add `resource_metadata="<PRM URL>"` to the Bearer challenge.',
  }),
  challengeScope: check('unauth.challenge-scope', {
    title: 'The challenge names the scope to request',
    level: 'should',
    owasp: ['MCP02'],
    spec: `${MCP_AUTH} §Scope Selection Strategy; RFC 6750 §3`,
    remedy: 'Add `scope="…"` (the minimum the client needs) to the Bearer challenge.',
  }),
  queryToken: check('unauth.query-token', {
    title: 'A token in the query string is refused',
    level: 'must',
    owasp: ['MCP01'],
    spec: `${MCP_AUTH} §Token Requirements ("MUST NOT be included in the URI query string"); OAuth 2.1 §5.1`,
    remedy: 'Accept tokens only from the Authorization header; ignore `access_token` in the URL.',
  }),
  https: check('transport.https', {
    title: 'HTTPS outside loopback',
    level: 'must',
    owasp: ['MCP01'],
    spec: `${MCP_AUTH} §Communication Security; OAuth 2.1 §1.5`,
    remedy: 'Serve the MCP endpoint over TLS; plain http only on 127.0.0.1 for local development.',
  }),
  cors: check('transport.cors', {
    title: 'CORS does not allow any origin with credentials',
    level: 'should',
    owasp: ['MCP07'],
    spec: 'Fetch Standard §3.2.5 (CORS protocol and credentials); MCP transports §Security Warning',
    remedy: 'Never answer `Access-Control-Allow-Origin: *` or a reflected origin together with credentials.',
  }),
  noEcho: check('transport.no-echo', {
    title: 'No token or secret is echoed in a response body',
    level: 'must',
    owasp: ['MCP01'],
    spec: `${MCP_AUTH} §Token Handling; RFC 6750 §5.3`,
    remedy: 'Do not reflect the Authorization header, tokens or secrets in responses or error messages.',
  }),
  // Protected Resource Metadata
  prmFound: check('prm.found', {
    title: 'Protected Resource Metadata is published',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Authorization Server Location ("MUST implement RFC 9728"); RFC 9728 §3`,
    remedy:
      'Serve RFC 9728 metadata at /.well-known/oauth-protected-resource{path} and name it in the challenge.',
  }),
  prmResource: check('prm.resource-match', {
    title: 'PRM `resource` equals the server URL exactly',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 9728 §3.3; RFC 8707 §2',
    remedy: 'Set `resource` to the exact MCP URL clients call (scheme, host, port, path, trailing slash).',
  }),
  prmAuthorizationServers: check('prm.authorization-servers', {
    title: 'PRM lists at least one authorization server',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Authorization Server Location; RFC 9728 §2`,
    remedy: 'List the issuer URL of your authorization server in `authorization_servers`.',
  }),
  prmScopesQualified: check('prm.scopes-qualified', {
    title: 'On Entra ID, scopes_supported are fully qualified with the resource',
    level: 'should',
    owasp: ['MCP02'],
    spec: 'Entra ID scope syntax ({identifier URI}/{scope}); AADSTS9010010',
    remedy:
      'Advertise `{server URL}/access_as_user` (the URL registered as an identifier URI), not a bare name.',
  }),
  prmNoOfflineAccess: check('prm.no-offline-access', {
    title: 'PRM does not advertise offline_access',
    level: 'should',
    owasp: ['MCP02'],
    spec: `${MCP_AUTH} §Scope Selection Strategy (offline_access is the authorization server's, SEP-2207)`,
    remedy:
      "Remove offline_access from the resource's scopes_supported; clients add it only where the AS lists it.",
  }),
  // Authorization server metadata
  asDiscovery: check('as.discovery', {
    title: 'Authorization server metadata is discoverable',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Authorization Server Metadata Discovery; RFC 8414 §3; OIDC Discovery §4`,
    remedy: 'Serve RFC 8414 or OpenID discovery for the issuer named in the PRM.',
  }),
  asIssuer: check('as.issuer-match', {
    title: 'Metadata `issuer` equals the issuer asked for',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 8414 §3.3',
    remedy: 'Name the issuer in the PRM exactly as the metadata document states it.',
  }),
  asPkce: check('as.pkce-s256', {
    title: 'PKCE S256 is advertised',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Authorization Code Protection ("MUST verify PKCE support"); RFC 7636 §4.2`,
    remedy: 'Advertise `code_challenge_methods_supported: ["S256"]` and require it.',
  }),
  asIss: check('as.iss-parameter', {
    title: 'RFC 9207 `iss` in authorization responses is advertised',
    level: 'should',
    owasp: ['MCP07'],
    spec: 'RFC 9207 §3 (mix-up defence)',
    remedy:
      'Return `iss` in authorization responses and set `authorization_response_iss_parameter_supported`.',
  }),
  asPkcePlain: check('as.pkce-no-plain', {
    title: 'PKCE `plain` is not advertised',
    level: 'should',
    owasp: ['MCP07'],
    spec: 'RFC 7636 §4.2 and §7.2 (plain only when S256 is impossible); RFC 9700 §2.1.1; OAuth 2.1 §4.1.1 (clients MUST use S256)',
    remedy:
      'Advertise and accept only `S256` in `code_challenge_methods_supported`; refuse `code_challenge_method=plain`.',
  }),
  asOpenRedirect: check('as.open-redirect', {
    title: 'An unregistered redirect_uri gets an error page, not a redirect',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 6749 §4.1.2.1 ("MUST NOT automatically redirect" to an invalid redirect_uri); RFC 9700 §4.11.2; OAuth 2.1 §4.1.2.1',
    remedy:
      'Check client_id and the exact registered redirect_uri before redirecting anywhere; otherwise show the error to the user.',
  }),
  asTokenNoStore: check('as.token-no-store', {
    title: 'The token endpoint answers with `Cache-Control: no-store`',
    level: 'should',
    owasp: ['MCP01'],
    spec: 'RFC 6749 §5.1 (MUST on responses carrying tokens) and §5.2; OAuth 2.1 §3.2.3; RFC 9111 §5.2.2.5',
    remedy:
      'Send `Cache-Control: no-store` on every token endpoint response (success and error), so no cache keeps a token.',
  }),
  asRefreshPublic: check('as.refresh-public-clients', {
    title: 'Refresh tokens for public clients are sender-constrained or rotated',
    level: 'info',
    owasp: ['MCP01'],
    spec: 'OAuth 2.1 §4.3.1 (public clients: sender-constrained or rotated refresh tokens); RFC 9700 §2.2.2; RFC 9449 §5.1; RFC 8705',
    remedy:
      'Rotate refresh tokens on every use for public clients (and say so in your docs), or bind them with DPoP and advertise `dpop_signing_alg_values_supported`.',
  }),
  asRegistration: check('as.registration', {
    title: 'How clients can register',
    level: 'info',
    owasp: [],
    spec: `${MCP_AUTH} §Client Registration Approaches`,
    remedy: '',
  }),
  // Opt-in registration probes (checks-registration.ts, --probe-registration: they WRITE)
  regProbe: check('registration.probe', {
    title: 'Registration abuse probes (opt-in, --probe-registration)',
    level: 'info',
    owasp: [],
    spec: 'RFC 7591 §3; RFC 7592 §2.3 (deletion)',
    remedy: '',
  }),
  regHttpRedirect: check('registration.http-redirect', {
    title: 'Open registration refuses an `http://` redirect URI outside loopback',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Communication Security ("redirect URIs MUST be either localhost or use HTTPS"); RFC 8252 §8.3; RFC 7591 §2`,
    remedy:
      'Refuse (400 `invalid_redirect_uri`) every redirect URI that is neither https nor http on a loopback host.',
  }),
  regDangerousScheme: check('registration.dangerous-scheme', {
    title: 'Open registration refuses `javascript:`, `data:` and `file:` redirect URIs',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Communication Security; RFC 7591 §2 and §5; RFC 9700 §4.1`,
    remedy:
      'Allow-list redirect URI schemes (https, loopback http, named private-use schemes); refuse script, data and file URIs.',
  }),
  regEmptyRedirects: check('registration.empty-redirects', {
    title: 'Open registration refuses a code-flow client without redirect URIs',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'OAuth 2.1 §2.3.1 (clients MUST register complete redirect URIs); RFC 7591 §2 (redirect_uris for redirect-based flows)',
    remedy:
      'Refuse a registration whose grant_types include authorization_code and whose redirect_uris are empty or missing.',
  }),
  regConfidentialLoose: check('registration.confidential-loose-redirect', {
    title: 'A confidential client cannot register a wildcard or `localhost` redirect URI',
    level: 'should',
    owasp: ['MCP07'],
    spec: 'OAuth 2.1 §2.3.1 and §4.1.3 (exact redirect URI match); RFC 9700 §2.1 and §4.1.3; RFC 8252 §8.3 (loopback is for native apps)',
    remedy:
      'Compare redirect URIs exactly: refuse `*` patterns, and keep loopback redirects for public (native) clients.',
  }),
  regReservedName: check('registration.reserved-name', {
    title: 'Open registration refuses a reserved client name ("Visual Studio Code")',
    level: 'should',
    owasp: ['MCP07'],
    spec: 'RFC 7591 §5 (client_name is self-asserted; impersonation); MCP security best practices §Confused Deputy (consent)',
    remedy:
      'Reserve the names of well-known clients for their verified registrations (or CIMD URLs) and mark every other registration as unverified on the consent page.',
  }),
  cimdPrivateFetch: check('registration.cimd-private-address', {
    title: 'A client_id metadata URL on a private address is not fetched',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Client ID Metadata Documents (SSRF); draft-ietf-oauth-client-id-metadata-document §6 (https only, block private addresses)`,
    remedy:
      'Fetch client metadata documents only from https URLs whose host resolves to a public address; refuse loopback, private and link-local targets.',
  }),
  asIssInResponse: check('as.iss-in-response', {
    title: 'An authorization (error) response carries RFC 9207 `iss` as advertised',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 9207 §2 and §2.4 (iss in every authorization response, errors included, when advertised)',
    remedy: 'Add `iss={issuer}` to every redirect back to the client, error responses included.',
  }),
  // Sign-in compatibility per client (checks-compat.ts; the clients' behaviour is data in client-profiles.ts)
  compatVsCode: check('compat.vscode', compat('VS Code')),
  compatClaude: check('compat.claude', compat('Claude Code / claude.ai')),
  compatCursor: check('compat.cursor', compat('Cursor')),
  compatChatGpt: check('compat.chatgpt', compat('ChatGPT connectors')),
  compatInspector: check('compat.inspector', compat('MCP Inspector')),
  compatMcpRemote: check('compat.mcp-remote', compat('mcp-remote')),
  // Transport (checks-transport.ts)
  transportAuthForwarded: check('transport.authorization-forwarded', {
    title: 'The Authorization header reaches the MCP server (no gateway strips it)',
    level: 'should',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Access Token Usage (the token in every request's Authorization header); RFC 9110 §11.6.2`,
    remedy:
      'Configure the gateway / reverse proxy in front of the server to forward the Authorization header unchanged (and never to add or pass it to upstream APIs).',
  }),
  transportMcpMethod: check('transport.mcp-method-header', {
    title: '`Mcp-Method` header and JSON-RPC body agree (SEP-2243, 2026-07-28)',
    level: 'info',
    owasp: [],
    spec: 'MCP 2026-07-28 Streamable HTTP §Standard Headers (SEP-2243: mismatch → 400, -32020)',
    remedy:
      "From protocol 2026-07-28, refuse a request whose Mcp-Method header differs from the body's method (400, JSON-RPC -32020), so gateways can route on the header safely.",
  }),
  // With a token the person holds
  tokenBaseline: check('token.baseline', {
    title: 'The token you hold is accepted',
    level: 'info',
    owasp: [],
    spec: 'Precondition of the token matrix',
    remedy: 'Give a token this server accepts (--token-command), or sign in with Connect first.',
  }),
  tokenTampered: check('token.tampered', {
    title: 'A token with a changed payload is refused',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Token Handling ("MUST validate access tokens"); RFC 7515 §5.2`,
    remedy: "Verify the JWT signature against the issuer's JWKS on every request.",
  }),
  tokenStripped: check('token.stripped-signature', {
    title: 'A token with its signature removed is refused',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 7515 §5.2; RFC 8725 §3.1',
    remedy: 'Reject tokens without a valid signature.',
  }),
  tokenAlgNone: check('token.alg-none', {
    title: 'An unsigned `alg: none` token is refused',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 8725 §3.1 (algorithm verification); RFC 7519 §6',
    remedy: 'Pin the accepted algorithms (e.g. RS256) and never accept `none`.',
  }),
  tokenAttackerKey: check('token.attacker-key', {
    title: 'A token re-signed with an attacker key under the real `kid` is refused',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 8725 §3.10 (trusting keys); RFC 7517 §4.5',
    remedy: "Take keys only from the issuer's JWKS; never from the token header (jwk, jku, x5u).",
  }),
  tokenForeignOrigin: check('token.foreign-origin', {
    title: 'A valid token from a foreign Origin is refused',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'MCP transports §Security Warning ("MUST validate the Origin header"): DNS rebinding',
    remedy: 'Refuse requests whose Origin is not yours (403).',
  }),
  tokenForeignHost: check('token.foreign-host', {
    title: 'A valid token under a foreign Host is refused',
    level: 'should',
    owasp: ['MCP07'],
    spec: 'MCP transports §Security Warning (bind locally, DNS rebinding); RFC 9110 §7.2',
    remedy: 'Check the Host header against an allow-list of your own names.',
  }),
  tokenOtherResource: check('token.other-resource', {
    title: 'A token of the same authorization server for another resource is refused',
    level: 'must',
    owasp: ['MCP07', 'MCP02'],
    spec: `${MCP_AUTH} §Token Audience Binding and Validation ("MUST validate … issued specifically for them"); RFC 8707 §2`,
    remedy: 'Check `aud` against your own API identifier(s) only (confused deputy).',
  }),
  tokenExpired: check('token.expired', {
    title: 'An expired token is refused',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 7519 §4.1.4; RFC 6750 §3.1',
    remedy: 'Require and check `exp` (and `nbf`).',
  }),
  tokenScope: check('token.insufficient-scope', {
    title: 'A token without the required scope gets 403 insufficient_scope',
    level: 'should',
    owasp: ['MCP02'],
    spec: `${MCP_AUTH} §Scope Challenge Handling; RFC 6750 §3.1`,
    remedy: 'Check the scope on each request and answer 403 `error="insufficient_scope", scope="…"`.',
  }),
  tokenStillWorks: check('token.still-works', {
    title: 'The original token still works after the matrix',
    level: 'info',
    owasp: [],
    spec: 'Non-destructive audit',
    remedy:
      'A server that locks out a valid token after forged attempts may be rate limiting; check its logs.',
  }),
  staticToken: check('static.shared-token', {
    title: 'Not a static shared token',
    level: 'must',
    owasp: ['MCP01', 'MCP07'],
    spec: `${MCP_AUTH} §Token Handling (OAuth 2.1 access tokens, audience-bound, expiring)`,
    remedy:
      'Replace the static token with OAuth 2.1: short-lived JWTs with `aud`, `exp`, a user, and PRM discovery.',
  }),
  // Bearer handling edge cases (checks-bearer.ts)
  bearerRandomOpaque: check('bearer.random-opaque', {
    title: 'A random opaque bearer value is refused with 401 invalid_token',
    level: 'must',
    owasp: ['MCP07'],
    spec: `${MCP_AUTH} §Token Handling ("MUST validate access tokens"); RFC 6750 §3.1 (invalid_token)`,
    remedy:
      'Accept only tokens your authorization server issued (verify the JWT, or introspect per RFC 7662); answer 401 `error="invalid_token"` otherwise.',
  }),
  bearerMalformed: check('bearer.malformed', {
    title: 'A bearer value outside the b64token syntax gets 401 invalid_token, not a 5xx',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 6750 §2.1 (b64token) and §3.1 (invalid_token); RFC 9110 §15.6 (5xx is a server fault)',
    remedy:
      'Parse the Authorization header defensively: anything that is not `Bearer <b64token>` is a 401, never an exception.',
  }),
  bearerOversized: check('bearer.oversized', {
    title: 'A 15 KiB bearer value is refused (401 invalid_token or 431), not a 5xx',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 6750 §3.1; RFC 6585 §5 (431); RFC 9110 §15.6',
    remedy: 'Bound the token length before decoding or verifying it and answer 401 invalid_token (or 431).',
  }),
  bearerDuplicate: check('bearer.duplicate-header', {
    title: 'Two Authorization headers, the first invalid, are refused',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 9110 §5.3 (Authorization is a singleton field); RFC 6750 §3.1 (invalid_request / invalid_token)',
    remedy:
      'Refuse a request with more than one Authorization header (400 or 401); never read a different one than the proxy in front of you.',
  }),
  bearerLowerCase: check('bearer.scheme-case', {
    title: 'The scheme is case-insensitive: `bearer <token>` is treated as Bearer',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'RFC 9110 §11.1 (auth-scheme is case-insensitive; was RFC 7235 §2.1); RFC 6750 §2.1',
    remedy:
      'Compare the scheme case-insensitively; a valid token under `bearer` is accepted, an invalid one gets 401 invalid_token.',
  }),
  bearerCredentialKind: check('bearer.credential-kind', {
    title: 'The accepted credential is a token of the advertised authorization server, not a static key',
    level: 'should',
    owasp: ['MCP01', 'MCP07'],
    spec: `${MCP_AUTH} §Token Handling, §Token Audience Binding and Validation; RFC 9728 §2 (authorization_servers)`,
    remedy:
      'Accept only short-lived tokens issued by the authorization server your PRM names; retire static keys, or stop advertising OAuth.',
  }),
  // Entra doctor
  entraResourceScope: check('entra.resource-scope', {
    title: 'Entra accepts the PRM resource together with its scope (no AADSTS9010010 / AADSTS500011)',
    level: 'must',
    owasp: ['MCP07'],
    spec: 'Entra ID (AADSTS9010010, AADSTS500011); RFC 8707 §2; RFC 9728 §3.3',
    remedy:
      'Register the server URL as an identifier URI of the API app and advertise `{server URL}/access_as_user`; or clients must omit `resource` for Entra.',
  }),
  entraAppIdUri: check('entra.app-id-uri', {
    title: "The scope's App ID URI is the canonical server URL (and that URL can be one)",
    level: 'should',
    owasp: ['MCP07'],
    spec: 'Entra ID identifier URI restrictions (verified domains); RFC 8707 §2; RFC 9728 §3.3; MCP authorization §Canonical Server URI',
    remedy:
      'Add the server URL as an identifier URI of the API app (needs a verified custom domain: *.azurecontainerapps.io / *.azurewebsites.net never are) and advertise `{server URL}/access_as_user`; otherwise clients must omit `resource`.',
  }),
  entraTokenVersion: check('entra.token-version', {
    title: 'Entra issues v2 access tokens for the API (issuer login.microsoftonline.com/{tid}/v2.0)',
    level: 'should',
    owasp: ['MCP07'],
    spec: 'Entra ID access token versions (api.requestedAccessTokenVersion / accessTokenAcceptedVersion); RFC 8414 §3.3 (issuer); RFC 9068 §4',
    remedy:
      'Set `api.requestedAccessTokenVersion: 2` on the API app (manifest `accessTokenAcceptedVersion: 2`) and validate the v2 issuer and the app id as audience.',
  }),
} as const satisfies Record<string, CheckInfo>;

export type CheckKey = keyof typeof CHECKS;
