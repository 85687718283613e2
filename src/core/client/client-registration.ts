/**
 * How an MCP client gets a client_id at an authorization server (MCP authorization spec 2025-11-25
 * "Client Registration Approaches", in its order of preference):
 *   1. pre-registered credentials the person configured for this server;
 *   2. a Client ID Metadata Document: the client_id is an https URL describing the client
 *      (draft-ietf-oauth-client-id-metadata-document), when the server advertises
 *      `client_id_metadata_document_supported`;
 *   3. Dynamic Client Registration (RFC 7591) at the advertised `registration_endpoint`.
 * The registration request/response handling is oauth4webapi's.
 */
import * as oauth from 'oauth4webapi';
import type { ServerMetadata } from 'openid-client';
import type { ClientCredentials, TokenEndpointAuthMethod } from './client-auth';
import { SherpaError } from '../errors';
import { isLoopbackHost } from '../net/loopback';
import { describeAuthorizationRefusal } from '../net/network-failure';

export type RegistrationSource = 'pre-registered' | 'cimd' | 'dcr';

export interface RegisteredClient extends ClientCredentials {
  source: RegistrationSource;
  /** The issuer this client_id belongs to: credentials are never portable between servers. */
  issuer: string;
  /** The redirect URIs registered by DCR (the first may name the loopback port the sign-in uses). */
  redirectUris?: string[];
}

export interface ObtainClientOptions {
  /** Credentials configured out of band for this authorization server. */
  preRegistered?: ClientCredentials;
  /** https URL of this client's metadata document, used as client_id where supported. */
  clientMetadataUrl?: string;
  /** Redirect URIs to register (RFC 8252 §7.3 loopback URIs; the port may vary at run time). */
  redirectUris: string[];
  clientName: string;
  /** RFC 7591 §2 grant_types; include refresh_token to be allowed refresh tokens (SEP-2207). */
  grantTypes: string[];
  fetch?: typeof fetch;
  /** How the person configures a pre-registered client id here (a CLI flag, a setting). */
  preRegistrationHint?: string;
}

/**
 * Returns the client to use at the authorization server described by `metadata`. Throws
 * NO_CLIENT_REGISTRATION when the server offers neither CIMD nor DCR and nothing was pre-registered,
 * CLIENT_REGISTRATION_FAILED when DCR is refused.
 */
export async function obtainClient(
  metadata: ServerMetadata,
  options: ObtainClientOptions,
): Promise<RegisteredClient> {
  const issuer = metadata.issuer;
  if (options.preRegistered) return { ...options.preRegistered, source: 'pre-registered', issuer };

  if (metadata.client_id_metadata_document_supported === true && options.clientMetadataUrl) {
    // The document declares token_endpoint_auth_method "none": a URL client id is a public client.
    return { clientId: options.clientMetadataUrl, authMethod: 'none', source: 'cimd', issuer };
  }

  if (metadata.registration_endpoint) return registerClient(metadata, options);

  // Never a browser page that can only fail: without a client this server knows, stop here.
  const cimd = metadata.client_id_metadata_document_supported === true;
  throw new SherpaError(
    'NO_CLIENT_REGISTRATION',
    `${issuer} needs a pre-registered client id: it offers no dynamic client registration (RFC 7591)${cimd ? ', and no Client ID Metadata Document URL is configured' : ' and no Client ID Metadata Documents'}`,
    {
      hint: `${options.preRegistrationHint ?? 'Register a client at this authorization server and configure its client id (and secret) for it.'}${cimd ? " Or host Sherpa's client metadata document at an https URL you control and configure that URL." : ''}`,
      details: { issuer, cimdSupported: cimd },
    },
  );
}

/** RFC 7591 §3.1 registration as a native app; asks for `none` when the server allows public clients. */
async function registerClient(
  metadata: ServerMetadata,
  options: ObtainClientOptions,
): Promise<RegisteredClient> {
  const supported = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  const requested: TokenEndpointAuthMethod = supported.includes('none')
    ? 'none'
    : supported.includes('client_secret_basic')
      ? 'client_secret_basic'
      : 'client_secret_post';
  const endpoint = new URL(metadata.registration_endpoint!);
  let registered: oauth.OmitSymbolProperties<oauth.Client>;
  try {
    const response = await oauth.dynamicClientRegistrationRequest(
      metadata as oauth.AuthorizationServer,
      {
        client_name: options.clientName,
        redirect_uris: options.redirectUris,
        grant_types: options.grantTypes,
        response_types: ['code'],
        token_endpoint_auth_method: requested,
        application_type: 'native',
      },
      {
        ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
        // Plain http only towards loopback (the local lab and test servers), OAuth 2.1 §1.5.
        [oauth.allowInsecureRequests]: endpoint.protocol === 'http:' && isLoopbackHost(endpoint.hostname),
        signal: AbortSignal.timeout(15_000),
      },
    );
    registered = await oauth
      .processDynamicClientRegistrationResponse(response)
      .catch(acceptMissingSecretExpiry);
  } catch (err) {
    const e = err as { error?: string; error_description?: string; message?: string };
    throw new SherpaError(
      'CLIENT_REGISTRATION_FAILED',
      describeAuthorizationRefusal(
        'registration',
        e.error_description ?? e.error ?? e.message ?? String(err),
        {
          issuer: endpoint,
        },
      ),
      {
        cause: err,
        hint: 'Use a client id registered at this server (ask its owner), if it does not let Sherpa register itself.',
        // The protocol's name, for the log: dynamic client registration (RFC 7591 §3).
        details: { method: 'RFC 7591 dynamic client registration', endpoint: endpoint.href, error: e.error },
      },
    );
  }
  const secret = typeof registered.client_secret === 'string' ? registered.client_secret : undefined;
  const method =
    (registered.token_endpoint_auth_method as TokenEndpointAuthMethod | undefined) ??
    (secret ? undefined : 'none');
  return {
    clientId: registered.client_id,
    ...(secret ? { clientSecret: secret } : {}),
    ...(method ? { authMethod: method } : {}),
    source: 'dcr',
    issuer: metadata.issuer,
    redirectUris: options.redirectUris,
  };
}

/**
 * RFC 7591 §3.2.1 makes `client_secret_expires_at` REQUIRED alongside a secret, but servers in the wild
 * (the MCP conformance suite's among them) leave it out. Everything else having been validated by
 * oauth4webapi first, a response whose only fault is that missing field is accepted as "no expiry".
 */
function acceptMissingSecretExpiry(err: unknown): oauth.OmitSymbolProperties<oauth.Client> {
  const e = err as { code?: string; message?: string; cause?: { body?: Record<string, unknown> } };
  const body = e?.cause?.body;
  if (
    e?.code === oauth.INVALID_RESPONSE &&
    /client_secret_expires_at/.test(e.message ?? '') &&
    body?.client_secret_expires_at === undefined &&
    typeof body?.client_id === 'string' &&
    typeof body.client_secret === 'string'
  ) {
    return { ...body, client_id: body.client_id, client_secret_expires_at: 0 };
  }
  throw err;
}
