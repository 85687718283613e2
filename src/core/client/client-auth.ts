/**
 * Token endpoint client authentication (RFC 6749 §2.3, OAuth 2.1 §2.4): choosing the method an
 * authorization server accepts and turning credentials into an openid-client `ClientAuth`. The methods
 * themselves (Basic header encoding, form fields, RFC 7523 §2.2 client assertions) are openid-client's.
 */
import * as client from 'openid-client';
import { importPKCS8 } from 'jose';
import { SherpaError } from '../errors';

export type TokenEndpointAuthMethod =
  'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** What a client holds to prove who it is at the token endpoint. */
export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
  /** PKCS#8 PEM private key for private_key_jwt (RFC 7523 §2.2). */
  privateKeyPem?: string;
  /** JWS algorithm of `privateKeyPem` (default ES256). */
  signingAlgorithm?: string;
  /** The method the registration fixed (RFC 7591 §2 `token_endpoint_auth_method`), if any. */
  authMethod?: TokenEndpointAuthMethod;
}

const KNOWN: readonly TokenEndpointAuthMethod[] = [
  'none',
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
];

/**
 * Picks the token endpoint auth method: the one the registration fixed, else the first method the
 * server lists (RFC 8414 §2 `token_endpoint_auth_methods_supported`; absent means client_secret_basic)
 * that these credentials can perform. Throws CLIENT_AUTH_UNSUPPORTED when none fits.
 */
export function selectTokenEndpointAuthMethod(
  supported: readonly string[] | undefined,
  credentials: Pick<ClientCredentials, 'clientSecret' | 'privateKeyPem' | 'authMethod'>,
): TokenEndpointAuthMethod {
  if (credentials.authMethod) return credentials.authMethod;
  const offered = supported && supported.length > 0 ? supported : ['client_secret_basic'];
  const canDo = (m: TokenEndpointAuthMethod): boolean =>
    m === 'none' ||
    (m === 'private_key_jwt' ? Boolean(credentials.privateKeyPem) : Boolean(credentials.clientSecret));
  // A confidential client prefers proving possession of its credential over going without.
  const order = [...offered].sort((a, b) => (a === 'none' ? 1 : 0) - (b === 'none' ? 1 : 0));
  for (const m of order) {
    if ((KNOWN as readonly string[]).includes(m) && canDo(m as TokenEndpointAuthMethod)) {
      return m as TokenEndpointAuthMethod;
    }
  }
  throw new SherpaError(
    'CLIENT_AUTH_UNSUPPORTED',
    `No usable token endpoint auth method among: ${offered.join(', ')}`,
    {
      hint: 'The authorization server wants a credential this client does not have (a secret or a private key).',
      details: { supported: offered },
    },
  );
}

/** openid-client ClientAuth for `method` (RFC 6749 §2.3.1 Basic/post, RFC 7523 §2.2 private_key_jwt). */
export async function createClientAuth(
  method: TokenEndpointAuthMethod,
  credentials: ClientCredentials,
): Promise<client.ClientAuth> {
  switch (method) {
    case 'none':
      return client.None();
    case 'client_secret_basic':
      return clientSecretBasic(requireSecret(credentials, method));
    case 'client_secret_post':
      return client.ClientSecretPost(requireSecret(credentials, method));
    case 'private_key_jwt': {
      if (!credentials.privateKeyPem) throw missing(method, 'a private key');
      const key = await importPKCS8(credentials.privateKeyPem, credentials.signingAlgorithm ?? 'ES256');
      return client.PrivateKeyJwt(key);
    }
  }
}

/**
 * RFC 6749 §2.3.1 Basic authentication: client id and secret are each application/x-www-form-urlencoded
 * (WHATWG URL §5.2, which leaves `*-._` and alphanumerics alone), joined by ':' and base64-encoded.
 * openid-client's ClientSecretBasic also percent-encodes `-`, `_`, `.` and `~`; servers that compare the
 * decoded header without form-decoding it (the MCP conformance suite, and others) then see
 * `pre%2Dregistered` instead of `pre-registered` and reject a correct secret. Ids and secrets made of
 * unreserved characters — almost all of them — go out unchanged this way.
 */
function clientSecretBasic(secret: string): client.ClientAuth {
  const encode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);
  return (_as, c, _body, headers) => {
    const pair = `${encode(c.client_id)}:${encode(secret)}`;
    headers.set('authorization', `Basic ${Buffer.from(pair, 'ascii').toString('base64')}`);
  };
}

function requireSecret(credentials: ClientCredentials, method: TokenEndpointAuthMethod): string {
  if (!credentials.clientSecret) throw missing(method, 'a client secret');
  return credentials.clientSecret;
}

function missing(method: string, what: string): SherpaError {
  return new SherpaError('CLIENT_AUTH_UNSUPPORTED', `${method} needs ${what}, and this client has none`);
}
