/**
 * `sherpa conformance-client <server-url>`: Sherpa's OAuth client core run headless, in the shape the
 * official MCP conformance suite drives a client (`conformance client --command "…"` appends the
 * server URL and passes scenario data in MCP_CONFORMANCE_CONTEXT). It authorizes as the spec says
 * (see core/authorizing-fetch.ts), then initializes, lists the tools and calls the first one.
 *
 * The "browser" is headless: the suite's authorization endpoints approve at once, so following the
 * redirects of the authorization URL delivers the response to our loopback receiver. Nothing here
 * decides per scenario name; the grant follows from the credentials the context carries.
 */
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ClientCredentials } from '../../core/client/client-auth';
import {
  createAuthorizingFetch,
  type AuthorizingFetch,
  type GrantStrategy,
} from '../../core/client/authorizing-fetch';
import { createStatelessClient, isSdkProtocolVersion } from '../../core/mcp/mcp-stateless';
import { formatError, SherpaError } from '../../core/errors';
import { redact } from '../../core/token/redact';
import { toTerminalLine } from '../../core/untrusted-text';
import { countOf } from '../../core/plural';

export const conformanceClientUsage = `sherpa conformance-client [--client-metadata-url URL] [--offline-access] [--verbose] <server-url>
  Headless OAuth client for the MCP conformance suite (client auth/* scenarios): authorizes, then
  initialize, tools/list and tools/call. Credentials come from MCP_CONFORMANCE_CONTEXT (JSON).`;

/** The fields of MCP_CONFORMANCE_CONTEXT this client understands (all optional). */
interface ConformanceContext {
  client_id?: string;
  client_secret?: string;
  private_key_pem?: string;
  signing_algorithm?: string;
  idp_id_token?: string;
  idp_issuer?: string;
  idp_client_id?: string;
}

/** Runs the command; 0 when the MCP calls succeeded with the token obtained, 1 otherwise. */
export async function runConformanceClientCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'client-metadata-url': { type: 'string' },
      'offline-access': { type: 'boolean', default: true },
      verbose: { type: 'boolean', default: false },
    },
  });
  const serverUrl = positionals.at(-1);
  if (!serverUrl) throw new SherpaError('BAD_ARGUMENT', `Missing server URL\n${conformanceClientUsage}`);
  const say = (line: string) => process.stderr.write(redact(`[sherpa] ${toTerminalLine(line, 2000)}`) + '\n');

  const context = readContext(process.env.MCP_CONFORMANCE_CONTEXT);
  const { grant, credentials } = chooseGrant(context);
  const auth = createAuthorizingFetch({
    serverUrl,
    grant,
    ...(credentials ? { credentials } : {}),
    ...(values['client-metadata-url'] ? { clientMetadataUrl: values['client-metadata-url'] } : {}),
    clientName: 'Sherpa conformance client',
    offlineAccess: values['offline-access'],
    onStep: say,
  });

  // The suite says which protocol revision its server speaks; the SDK Client covers up to 2025-11-25.
  const protocolVersion = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? '2025-11-25';
  const session = isSdkProtocolVersion(protocolVersion)
    ? await openSdkSession(serverUrl, auth.fetch)
    : {
        ...createStatelessClient(serverUrl, { protocolVersion, fetch: auth.fetch }),
        close: async () => undefined,
      };
  try {
    await session.ready?.();
    const tools = await session.listTools();
    say(`tools/list: ${tools.map((t) => t.name).join(', ') || '(none)'}`);
    const first = tools[0];
    if (first) {
      const result = await session.callTool(first.name, {});
      say(`tools/call ${first.name}: ${result.isError ? 'tool error' : 'ok'}`);
    }
    say(`done after ${countOf(auth.authorizations, 'authorization')}`);
    return 0;
  } catch (err) {
    say(`failed: ${formatError(err)}`);
    if (values.verbose && err instanceof Error && err.stack) say(err.stack);
    return 1;
  } finally {
    await session.close();
  }
}

interface Session {
  ready?: () => Promise<void>;
  listTools(): Promise<Tool[]>;
  callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** The SDK Client over Streamable HTTP with the authorizing fetch (revisions up to 2025-11-25). */
async function openSdkSession(serverUrl: string, authFetch: AuthorizingFetch['fetch']): Promise<Session> {
  const transport = new StreamableHTTPClientTransport(new URL(serverUrl), { fetch: authFetch });
  const mcp = new Client({ name: 'sherpa-conformance-client', version: '0.1.0' });
  return {
    ready: () => mcp.connect(transport),
    listTools: async () => (await mcp.listTools()).tools,
    callTool: async (name, args) => (await mcp.callTool({ name, arguments: args })) as CallToolResult,
    close: () => mcp.close().catch(() => undefined),
  };
}

function readContext(raw: string | undefined): ConformanceContext {
  if (!raw) return {};
  try {
    return JSON.parse(raw) as ConformanceContext;
  } catch (err) {
    throw new SherpaError('BAD_ARGUMENT', 'MCP_CONFORMANCE_CONTEXT is not JSON', { cause: err });
  }
}

/**
 * The grant follows from what the context provides: an IdP ID token → cross-app access (SEP-990);
 * otherwise the authorization code flow with any client id/secret/key as pre-registered credentials.
 * (A client holding a secret or key whose server offers only client_credentials switches to that
 * grant by itself: see grantFor in core/authorizing-fetch.ts.)
 */
function chooseGrant(context: ConformanceContext): { grant: GrantStrategy; credentials?: ClientCredentials } {
  const credentials: ClientCredentials | undefined = context.client_id
    ? {
        clientId: context.client_id,
        ...(context.client_secret ? { clientSecret: context.client_secret } : {}),
        ...(context.private_key_pem ? { privateKeyPem: context.private_key_pem } : {}),
        ...(context.signing_algorithm ? { signingAlgorithm: context.signing_algorithm } : {}),
      }
    : undefined;
  if (context.idp_id_token && context.idp_issuer && context.idp_client_id) {
    return {
      grant: {
        kind: 'cross-app-access',
        idToken: context.idp_id_token,
        idpIssuer: context.idp_issuer,
        idpClientId: context.idp_client_id,
      },
      ...(credentials ? { credentials } : {}),
    };
  }
  return {
    grant: { kind: 'authorization-code', openBrowser: approveHeadlessly, timeoutMs: 20_000 },
    ...(credentials ? { credentials } : {}),
  };
}

/**
 * A "browser" for auto-approving authorization endpoints: follows the redirect chain of the
 * authorization URL (at most 10 hops) so the final redirect lands on our loopback receiver.
 */
async function approveHeadlessly(url: URL): Promise<void> {
  let next: URL = url;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, { redirect: 'manual' });
    const location = res.headers.get('location');
    await res.body?.cancel();
    if (res.status < 300 || res.status >= 400 || !location) return;
    next = new URL(location, next);
  }
}
