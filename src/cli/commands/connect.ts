import { parseArgs } from 'node:util';
import { publicClient } from '../../core/client/mcp-authorization';
import { connectServer } from '../../core/client/connect-server';
import { explainingEntraRefusals } from '../../core/aadsts-explanations';
import { deviceCodeGrant } from '../../core/grants/strategies';
import type { DeviceCodeLogin } from '../../core/grants/device-code';
import { LAB_API_CLIENT_ID, LAB_TENANT_ID } from '../../lab/lab-defaults';
import { isLoopbackHost } from '../../core/url';
import { decodeToken, type DecodedToken } from '../../core/token/token-inspection';
import { toTerminalLine } from '../../core/untrusted-text';
import { cliGrant } from '../lab-token';
import { VSCODE_CLIENT_ID } from '../../core/well-known-ids';
import { print, printDecoded, printStep, printUntrusted } from '../output';
import { useProxyFromEnvironment } from '../outbound-proxy';

export const connectUsage = `sherpa connect <mcp-url> [--user alice|bob | --device-code] [--client-id ID] [--no-resource] [--call TOOL] [--trust-api api://…]
  401 → Protected Resource Metadata → authorization server metadata → client → sign-in (PKCE, or the
  RFC 8628 device code with --device-code) → MCP initialize + tools/list, one line per step.
  --no-resource omits the RFC 8707 resource (what Entra needs). --trust-api names an api:// identifier
  URI as this server's own on Entra (any other api:// scope is refused).`;

/** A loopback issuer with the lab's tenant path: the local lab. */
function isLabIssuer(issuer: string): boolean {
  const u = new URL(issuer);
  return isLoopbackHost(u.hostname) && u.pathname.startsWith(`/${LAB_TENANT_ID}/`);
}

export async function runConnectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      user: { type: 'string' },
      'client-id': { type: 'string' },
      'no-resource': { type: 'boolean', default: false },
      'device-code': { type: 'boolean', default: false },
      call: { type: 'string' },
      'trust-api': { type: 'string', multiple: true },
    },
  });
  const url = positionals[0];
  if (!url) {
    print(connectUsage);
    return 2;
  }
  const omitResource = values['no-resource'];
  const proxied = useProxyFromEnvironment();
  const connected = await connectServer(url, {
    // Behind a proxy the proxy resolves names: Sherpa's own lookup would fail or see another network.
    ...(proxied ? { resolveNames: false } : {}),
    credentials: publicClient(values['client-id'] ?? VSCODE_CLIENT_ID),
    onStep: printStep,
    ...(values['trust-api']?.length ? { trustedApiIdentifiers: values['trust-api'] } : {}),
    // An Entra (or Entra-strict lab) refusal says what is wrong with this PRM/scope pair and how to fix it.
    grant: explainingEntraRefusals(
      values['device-code']
        ? deviceCodeGrant({ show: showDeviceCode, omitResource })
        : cliGrant({ ...(values.user ? { user: values.user } : {}), omitResource }),
    ),
    // The local lab's API client id and tenant are public lab facts (lab-defaults.ts).
    knownIdentity: (issuer) =>
      isLabIssuer(issuer) ? { audiences: [LAB_API_CLIENT_ID], tenants: [LAB_TENANT_ID] } : undefined,
  });
  print();
  // An opaque access token is valid OAuth (RFC 6749 §1.4): nothing to decode, and not a failure.
  let decoded: DecodedToken | undefined;
  try {
    decoded = decodeToken(connected.tokens.accessToken);
  } catch {
    print(
      `Opaque access token (not a JWT): nothing to decode${connected.tokens.scope ? `; scope ${toTerminalLine(connected.tokens.scope)}` : ''}.`,
    );
  }
  if (decoded) {
    // The same expectations the extension's Token view checks, from what discovery learnt.
    printDecoded(decoded, connected.expectations);
  }
  if (values.call) {
    const result = await connected.callTool(values.call, {});
    print();
    for (const c of result.content) printUntrusted(c.type === 'text' ? c.text : JSON.stringify(c));
  }
  await connected.close();
  return 0;
}

/** RFC 8628 §3.3: where to go and what to type; stderr, because stdout may be piped. */
function showDeviceCode(login: DeviceCodeLogin): void {
  process.stderr.write(
    `To sign in, open ${toTerminalLine(login.verificationUriComplete ?? login.verificationUri, 2000)} and enter the code ${toTerminalLine(login.userCode)} (expires in ${Math.round(login.expiresIn / 60)} min).\n`,
  );
}
