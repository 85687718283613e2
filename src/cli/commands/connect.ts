import { parseArgs } from 'node:util';
import { runConnectFlow } from '../../core/client/connect-flow';
import { tenantFromIssuer } from '../../core/entra';
import { toEntraError } from '../../core/aadsts-explanations';
import { LAB_API_CLIENT_ID, LAB_TENANT_ID } from '../../lab/lab-defaults';
import { buildTokenExpectations } from '../../core/token/token-expectations';
import { isLoopbackHost } from '../../core/url';
import { decodeToken, type DecodedToken } from '../../core/token/token-inspection';
import { toTerminalLine } from '../../core/untrusted-text';
import { loginFromCli } from '../lab-token';
import { print, printDecoded, printStep, printUntrusted } from '../output';

export const connectUsage = `sherpa connect <mcp-url> [--user alice|bob] [--client-id ID] [--no-resource] [--call TOOL] [--trust-api api://…]
  401 → Protected Resource Metadata → authorization server metadata → sign-in (PKCE) → MCP initialize +
  tools/list, one line per step. --no-resource omits the RFC 8707 resource (what Entra needs). --trust-api
  names an api:// identifier URI as this server's own on Entra (any other api:// scope is refused).`;

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
      call: { type: 'string' },
      'trust-api': { type: 'string', multiple: true },
    },
  });
  const url = positionals[0];
  if (!url) {
    print(connectUsage);
    return 2;
  }
  const connected = await runConnectFlow(url, {
    ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
    onStep: printStep,
    ...(values['trust-api']?.length ? { trustedApiIdentifiers: values['trust-api'] } : {}),
    getToken: (req) =>
      loginFromCli({
        config: req.config,
        scopes: req.scopes,
        ...(values['no-resource'] ? {} : { resource: req.resource }),
        ...(values.user ? { user: values.user } : {}),
      }).catch((err: unknown) => {
        // An Entra (or Entra-strict lab) refusal: what it means for this PRM/scope pair, how to fix it.
        throw (
          toEntraError(err, {
            resource: req.resource,
            scopes: req.scopes,
            ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
            ...(tenantFromIssuer(req.issuer) ? { tenant: tenantFromIssuer(req.issuer) } : {}),
          }) ?? err
        );
      }),
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
    printDecoded(
      decoded,
      buildTokenExpectations({
        resource: connected.prm.metadata.resource,
        scopes:
          connected.challenge?.scope?.split(' ').filter(Boolean) ??
          connected.prm.metadata.scopes_supported ??
          [],
        issuers: connected.prm.metadata.authorization_servers,
        // The local lab's API client id and tenant are public lab facts (lab-defaults.ts).
        ...(isLabIssuer(connected.authorizationServer.metadata.issuer)
          ? { knownAudiences: [LAB_API_CLIENT_ID], knownTenants: [LAB_TENANT_ID] }
          : {}),
      }),
    );
  }
  if (values.call) {
    const result = await connected.callTool(values.call, {});
    print();
    for (const c of result.content) printUntrusted(c.type === 'text' ? c.text : JSON.stringify(c));
  }
  await connected.close();
  return 0;
}
