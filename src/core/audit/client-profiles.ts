/**
 * How each popular MCP client signs in, as DATA — one row per client, every field with the public
 * source it was read from (docs pages, issue threads; "tried here" where the interop tests ran it).
 * checks-compat.ts reads these rows and never names a client in code, so correcting a client's
 * behaviour is an edit here, with its source.
 *
 * Where the interop tests measured a client (test/interop/client-behaviour.json), a unit test compares the
 * overlapping fields — registration (as predictSignIn picks it for the lab's metadata), redirect URI,
 * `resource`, scopes added — with its row here: a disagreement fails, and the measurement wins for the
 * version measured (the row is corrected, citing the measurement as its source).
 */

/** One way a client gets a client_id, tried in the order the client tries them. */
export type RegistrationStep =
  /** Entra ID issuer → a first-party client id Microsoft pre-registers (VS Code's `microsoft` provider). */
  | 'entra-first-party'
  /** Client ID Metadata Document: the client_id is an https URL (needs `client_id_metadata_document_supported`). */
  | 'cimd'
  /** RFC 7591 dynamic registration (needs `registration_endpoint`). */
  | 'dcr'
  /** The person types a client id (and secret) registered by hand. */
  | 'manual-client-id';

export interface ClientSource {
  /** The fields this source supports. */
  fields: string[];
  url: string;
  note?: string;
}

export interface ClientProfile {
  /** Suffix of the check id (`compat.<id>`). */
  id: 'vscode' | 'claude' | 'cursor' | 'chatgpt' | 'inspector' | 'mcp-remote';
  name: string;
  /** Ways to a client_id, in order. */
  registration: RegistrationStep[];
  /** The redirect URIs it registers with DCR (`{port}` where the port varies). */
  redirectUris: string[];
  /** Whether it sends RFC 8707 `resource` to a non-Entra server, and to Entra ID. */
  sendsResource: { default: boolean; entra: boolean };
  /** Scopes it adds to the challenge's / PRM's. */
  scopeExtras: string[];
  /** Refuses an AS whose metadata lacks code_challenge_methods_supported (2026-07-28 rule); null: not known. */
  refusesWithoutPkceMetadata: boolean | null;
  /** Refuses a PRM whose `resource` is not its server URL (RFC 9728 §3.3). */
  checksPrmResource: boolean;
  sources: ClientSource[];
}

export const CLIENT_PROFILES: readonly ClientProfile[] = [
  {
    id: 'vscode',
    name: 'VS Code',
    registration: ['entra-first-party', 'cimd', 'dcr', 'manual-client-id'],
    redirectUris: ['http://127.0.0.1:33418', 'https://vscode.dev/redirect'],
    sendsResource: { default: true, entra: false },
    scopeExtras: [],
    refusesWithoutPkceMetadata: false,
    checksPrmResource: true,
    sources: [
      {
        fields: ['redirectUris', 'registration'],
        url: 'https://github.com/contextstream/mcp-server/issues/57',
        note: 'DCR with http://127.0.0.1:33418 and https://vscode.dev/redirect; a manual client id prompt when DCR fails',
      },
      {
        fields: ['sendsResource.entra'],
        url: 'https://github.com/microsoft/azure-devops-mcp/issues/1293',
        note: 'AADSTS9010010 in VS Code stable (microsoft/vscode#321249, 1.124), gone in Insiders by June 2026',
      },
      {
        fields: ['registration', 'refusesWithoutPkceMetadata'],
        url: 'https://github.com/microsoft/vscode/issues/321249',
        note: 'an Entra issuer goes to the built-in microsoft provider (pre-authorised VS Code client); it proceeds against Entra, whose metadata lists no PKCE methods',
      },
    ],
  },
  {
    id: 'claude',
    name: 'Claude Code / claude.ai',
    registration: ['dcr', 'manual-client-id'],
    redirectUris: [
      'https://claude.ai/api/mcp/auth_callback',
      'https://claude.com/api/mcp/auth_callback',
      'http://localhost:{port}/callback',
    ],
    sendsResource: { default: true, entra: true },
    scopeExtras: [],
    refusesWithoutPkceMetadata: null,
    checksPrmResource: true,
    sources: [
      {
        fields: ['redirectUris'],
        url: 'https://github.com/RevenueCat/ai-toolkit/issues/58',
        note: 'the Claude app allows https://claude.ai/api/mcp/auth_callback and https://claude.com/api/mcp/auth_callback',
      },
      {
        fields: ['redirectUris'],
        url: 'https://github.com/anthropics/claude-code/issues/29934',
        note: 'Claude Code registers http://localhost:PORT/callback',
      },
      {
        fields: ['sendsResource', 'checksPrmResource'],
        url: 'https://github.com/anthropics/claude-code/issues/89438',
        note: 'resource=<server URL> to Entra → AADSTS9010010; AADSTS650053 on reconnect (scope falls back to Graph)',
      },
      {
        fields: ['registration'],
        url: 'https://github.com/microsoft/azure-devops-mcp/issues/1511',
        note: 'claude.ai custom connectors: DCR, or a pre-registered client id and secret',
      },
    ],
  },
  {
    id: 'cursor',
    name: 'Cursor',
    registration: ['dcr'],
    redirectUris: [
      'cursor://anysphere.cursor-mcp/oauth/callback',
      'https://www.cursor.com/agents/mcp/oauth/callback',
      'http://localhost:8787/callback',
    ],
    sendsResource: { default: true, entra: true },
    scopeExtras: [],
    refusesWithoutPkceMetadata: null,
    checksPrmResource: false,
    sources: [
      {
        fields: ['redirectUris', 'registration'],
        url: 'https://github.com/erp-mafia/accounted/pull/2225',
        note: 'one DCR request with all three redirect URIs; servers refusing any one of them refuse the client',
      },
      {
        fields: ['redirectUris'],
        url: 'https://github.com/soflyy/agent-connector-for-wp/issues/111',
        note: 'a DCR that allows only https and loopback http refuses Cursor (400 invalid_redirect_uri)',
      },
    ],
  },
  {
    id: 'chatgpt',
    name: 'ChatGPT connectors',
    registration: ['cimd', 'dcr', 'manual-client-id'],
    redirectUris: [
      'https://chatgpt.com/connector/oauth/{id}',
      'https://chatgpt.com/connector_platform_oauth_redirect',
    ],
    sendsResource: { default: true, entra: true },
    scopeExtras: [],
    refusesWithoutPkceMetadata: null,
    checksPrmResource: false,
    sources: [
      {
        fields: ['registration', 'sendsResource'],
        url: 'https://developers.openai.com/plugins/build/auth',
        note: 'CIMD, DCR, predefined OAuth clients and PKCE; "echo the resource parameter throughout the OAuth flow"',
      },
      {
        fields: ['redirectUris'],
        url: 'https://github.com/makeplane/plane-mcp-server/pull/165',
        note: 'per-connector https://chatgpt.com/connector/oauth/{id} and the legacy connector_platform_oauth_redirect',
      },
    ],
  },
  {
    id: 'inspector',
    name: 'MCP Inspector',
    registration: ['cimd', 'dcr', 'manual-client-id'],
    redirectUris: ['http://127.0.0.1:6276/oauth/callback'],
    sendsResource: { default: true, entra: true },
    scopeExtras: ['offline_access'],
    refusesWithoutPkceMetadata: null,
    checksPrmResource: true,
    sources: [
      {
        fields: ['registration'],
        url: 'https://github.com/modelcontextprotocol/modelcontextprotocol/pull/3143',
        note: 'v2 docs: DCR, a static client (--client-id/--client-secret), CIMD (--client-metadata-url), enterprise-managed',
      },
      {
        fields: ['redirectUris'],
        url: 'https://github.com/datalayer/mcp-compose/blob/main/references/oauth/docs/INSPECTOR.md',
        note: 'v1 UI: DCR body with http://localhost:6274/oauth/callback — superseded for v2 by the measurement below',
      },
      {
        fields: ['registration', 'redirectUris', 'sendsResource', 'scopeExtras'],
        url: 'https://www.npmjs.com/package/@modelcontextprotocol/inspector',
        note: 'tried here with 2.12.0 (CLI) against sherpa lab and --entra (test/interop/client-behaviour.json): DCR, default redirect http://127.0.0.1:6276/oauth/callback (fixed port), resource sent, offline_access added when the AS lists it, prompt=consent',
      },
    ],
  },
  {
    id: 'mcp-remote',
    name: 'mcp-remote',
    registration: ['dcr'],
    redirectUris: ['http://localhost:{port}/oauth/callback'],
    sendsResource: { default: true, entra: true },
    scopeExtras: ['offline_access'],
    refusesWithoutPkceMetadata: false,
    checksPrmResource: true,
    sources: [
      {
        fields: ['registration', 'redirectUris', 'sendsResource', 'scopeExtras'],
        url: 'https://www.npmjs.com/package/mcp-remote',
        note: 'tried here with 0.15.1 against sherpa lab (ecosystem-facts.md): DCR, port derived from the server URL, resource sent (--disable-resource-parameter turns it off), offline_access added, prompt=consent',
      },
    ],
  },
];
