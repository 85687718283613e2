/**
 * The storage half of an MCP SDK `OAuthClientProvider` kept in memory, for the tests that run an SDK's own
 * OAuth client against the lab: the client metadata it registers with (a public client, RFC 7591 §2
 * `token_endpoint_auth_method: none`, on a loopback redirect), and what the SDK hands back to keep (client
 * information, tokens, the PKCE verifier). Subclasses add the "browser" (`redirectToAuthorization`).
 * Generic over the SDK's own types: v1 (`@modelcontextprotocol/sdk`) and v2 (`@modelcontextprotocol/client`).
 */
export abstract class InMemoryOAuthStore<ClientInfo, Tokens> {
  client?: ClientInfo;
  /** The tokens the SDK saved; a test may replace them to make the server refuse the next request. */
  saved?: Tokens;
  #verifier?: string;

  constructor(
    readonly redirectUrl: string,
    readonly clientName: string,
  ) {}

  get clientMetadata() {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation(): ClientInfo | undefined {
    return this.client;
  }
  saveClientInformation(info: ClientInfo) {
    this.client = info;
  }
  tokens(): Tokens | undefined {
    return this.saved;
  }
  saveTokens(tokens: Tokens) {
    this.saved = tokens;
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier(): string {
    if (!this.#verifier) throw new Error('no code verifier saved');
    return this.#verifier;
  }
}
