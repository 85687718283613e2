/**
 * Entra mode's OpenID metadata (OIDC Discovery 1.0 §3, RFC 8414 §2): the field set Entra ID's v2.0
 * document `https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration` has, not
 * oidc-provider's. Clients decide from these fields, so a lab that advertises more than Entra lets a client
 * pass here and fail against Entra. Two differences matter most:
 * - Entra publishes no `code_challenge_methods_supported`, although it supports and enforces S256. The lab
 *   still requires PKCE S256 of every client (provider-config.ts); only the advertisement is Entra's. A
 *   client following the MCP spec (2025-11-25) to the letter refuses such an AS unless it knows Entra.
 * - Entra lists `token_endpoint_auth_methods_supported` as client_secret_post, private_key_jwt,
 *   client_secret_basic — no `none`: public clients are a property of the app registration there, not
 *   something a client picks from the metadata.
 * What Entra's document has and the lab does not do (kerberos_endpoint, rbac_url, front-channel logout, …)
 * is left out.
 */

/** Entra's `token_endpoint_auth_methods_supported`, in Entra's order. */
export const ENTRA_TOKEN_ENDPOINT_AUTH_METHODS = [
  'client_secret_post',
  'private_key_jwt',
  'client_secret_basic',
] as const;

/**
 * Members of Entra's v2.0 OpenID metadata that the lab serves (with its own values, except the auth
 * methods). Anything oidc-provider adds beyond these — code_challenge_methods_supported,
 * grant_types_supported, revocation_endpoint, authorization_response_iss_parameter_supported,
 * claims_parameter_supported, request_parameter_supported, … — Entra does not publish.
 */
const ENTRA_FIELDS: readonly string[] = [
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'device_authorization_endpoint',
  'end_session_endpoint',
  'userinfo_endpoint',
  'jwks_uri',
  'token_endpoint_auth_methods_supported',
  'response_modes_supported',
  'response_types_supported',
  'subject_types_supported',
  'scopes_supported',
  'claims_supported',
  'id_token_signing_alg_values_supported',
  'request_uri_parameter_supported',
  'cloud_instance_name',
  'tenant_region_scope',
];

/** Reshapes oidc-provider's discovery body in place to Entra's field set. */
export function toEntraDiscovery(body: Record<string, unknown>): void {
  for (const key of Object.keys(body)) if (!ENTRA_FIELDS.includes(key)) delete body[key];
  body.token_endpoint_auth_methods_supported = [...ENTRA_TOKEN_ENDPOINT_AUTH_METHODS];
  // Entra also says front-channel and HTTP logout are supported; the lab has neither, so it does not say so.
}
