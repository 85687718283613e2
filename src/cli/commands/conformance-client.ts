/**
 * `sherpa conformance-client <server-url>`: Sherpa's OAuth client core run headless, in the shape the
 * official MCP conformance suite drives a client (`conformance client --command "…"` appends the
 * server URL and passes scenario data in MCP_CONFORMANCE_CONTEXT). It authorizes as the spec says
 * with the engine users run (core/client/mcp-authorization.ts under connect-server.ts), then initializes,
 * lists the tools and calls the first one.
 *
 * The "browser" is headless: the suite's authorization endpoints approve at once, so following the
 * redirects of the authorization URL delivers the response to our loopback receiver. Nothing here
 * decides per scenario name; the grant follows from the credentials the context carries.
 */
import { parseArgs } from 'node:util';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ClientCredentials } from '../../core/client/client-auth';
import { createMcpAuthorization, type McpAuthorizationOptions } from '../../core/client/mcp-authorization';
import { connectServer } from '../../core/client/connect-server';
import type { GrantStrategy } from '../../core/client/grant-strategy';
import type { ConnectStepEvent } from '../../core/client/steps';
import { authorizationCodeGrant, crossAppAccessGrant } from '../../core/grants/strategies';
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
  const onStep = (e: ConnectStepEvent) => say(`${e.status === 'ok' ? '✔' : '✘'} ${e.step}: ${e.detail}`);

  const context = readContext(process.env.MCP_CONFORMANCE_CONTEXT);
  const { grant, credentials } = chooseGrant(context, () => say('ID-JAG received from the IdP'));
  // The same engine `sherpa connect` and the extension run; only the grant and the registration
  // inputs differ. The 2025-03-26 default endpoints are the spec's rule for servers with no metadata.
  const engine: Omit<McpAuthorizationOptions, 'serverUrl'> = {
    grant,
    ...(credentials ? { credentials } : {}),
    ...(values['client-metadata-url'] ? { clientMetadataUrl: values['client-metadata-url'] } : {}),
    clientName: 'Sherpa conformance client',
    offlineAccess: values['offline-access'],
    legacyDefaultEndpoints: true,
    onStep,
  };

  // The suite says which protocol revision its server speaks; the SDK Client covers up to 2025-11-25.
  const protocolVersion = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? '2025-11-25';
  let close = async () => undefined as void;
  try {
    let authorizations: () => number;
    if (isSdkProtocolVersion(protocolVersion)) {
      const connected = await connectServer(serverUrl, {
        ...engine,
        mcpClientName: 'sherpa-conformance-client',
      });
      close = connected.close;
      authorizations = () => connected.authorizations;
      await callFirstTool(connected.tools, connected.callTool, say);
    } else {
      const auth = createMcpAuthorization({ ...engine, serverUrl });
      const stateless = createStatelessClient(serverUrl, { protocolVersion, fetch: auth.fetch });
      authorizations = () => auth.state.authorizations;
      const tools = await stateless.listTools();
      say(`tools/list: ${tools.map((t) => t.name).join(', ') || '(none)'}`);
      await callFirstTool(tools, (name, args) => stateless.callTool(name, args), say);
    }
    say(`done after ${countOf(authorizations(), 'authorization')}`);
    return 0;
  } catch (err) {
    say(`failed: ${formatError(err)}`);
    if (values.verbose && err instanceof Error && err.stack) say(err.stack);
    return 1;
  } finally {
    await close();
  }
}

async function callFirstTool(
  tools: Tool[],
  call: (name: string, args: Record<string, unknown>) => Promise<CallToolResult>,
  say: (line: string) => void,
): Promise<void> {
  const first = tools[0];
  if (!first) return;
  const result = await call(first.name, {});
  say(`tools/call ${first.name}: ${result.isError ? 'tool error' : 'ok'}`);
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
 * grant by itself: see grantFor in core/client/mcp-authorization.ts.)
 */
function chooseGrant(
  context: ConformanceContext,
  onIdJag: () => void,
): { grant: GrantStrategy; credentials?: ClientCredentials } {
  const credentials: ClientCredentials | undefined = context.client_id
    ? {
        clientId: context.client_id,
        ...(context.client_secret ? { clientSecret: context.client_secret } : {}),
        ...(context.private_key_pem ? { privateKeyPem: context.private_key_pem } : {}),
        ...(context.signing_algorithm ? { signingAlgorithm: context.signing_algorithm } : {}),
      }
    : undefined;
  const grant =
    context.idp_id_token && context.idp_issuer && context.idp_client_id
      ? crossAppAccessGrant({
          idToken: context.idp_id_token,
          idpIssuer: context.idp_issuer,
          idpClientId: context.idp_client_id,
          onIdJag,
        })
      : // The suite's authorization servers approve at once and check the authorization requests they
        // get (scopes, resource, their order): no probe of Sherpa's own among them.
        authorizationCodeGrant({ openBrowser: approveHeadlessly, timeoutMs: 20_000, preflight: false });
  return { grant, ...(credentials ? { credentials } : {}) };
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
