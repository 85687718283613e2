import { parseArgs } from 'node:util';
import { connectServer, type ConnectOptions } from '../../core/client/connect-server';
import { parseIssuerClientId, preRegisteredClientFor } from '../../core/client/pre-registered-clients';
import { isEntraIssuer } from '../../core/entra';
import { trustedApisFromArgs } from '../../core/client/trusted-apis';
import { SherpaError } from '../../core/errors';
import { isLabIssuer } from '../../lab/lab-issuer';
import { explainingEntraRefusals } from '../../core/aadsts-explanations';
import { deviceCodeGrant } from '../../core/grants/strategies';
import type { DeviceCodeLogin } from '../../core/grants/device-code';
import { LAB_API_CLIENT_ID, LAB_TENANT_ID } from '../../servers/shared/lab-defaults';
import { decodeToken, type DecodedToken } from '../../core/token/token-inspection';
import { toTerminalLine } from '../../core/untrusted-text';
import { cliGrant, startSignInWait, stopSignInWait } from '../lab-token';
import { VSCODE_CLIENT_ID } from '../../core/well-known-ids';
import { print, printDecoded, printStep, printUntrusted } from '../output';
import { useProxyFromEnvironment } from '../outbound-proxy';

export const connectUsage = `sherpa connect <mcp-url> [--user alice|bob | --device-code] [--client-id [ISSUER=]ID]… [--client-metadata-url URL] [--sign-in-timeout SECONDS] [--no-resource] [--call TOOL] [--trust-api [<mcp-url>=]api://…]
  401 → Protected Resource Metadata → authorization server metadata → client → sign-in (PKCE, or the
  RFC 8628 device code with --device-code) → MCP initialize + tools/list, one line per step.
  The client: VS Code's id at Entra and the lab, an id given with --client-id (ISSUER=ID: only at that
  issuer), else the server's Client ID Metadata Document support (--client-metadata-url: where Sherpa's
  document is hosted), else dynamic registration (RFC 7591). --sign-in-timeout: how long you have to sign
  in (default 300 s); Ctrl-C cancels. --no-resource omits the RFC 8707 resource (what Entra needs).
  --trust-api names an api:// identifier URI as <mcp-url>'s own on Entra (default: the server connected);
  any other api:// scope is refused.`;

/** What the person types to configure a client id, for NO_CLIENT_REGISTRATION's hint. */
const CLIENT_ID_HINT =
  'Register a client at this authorization server, then pass its id: sherpa connect <url> --client-id <issuer>=<client id>.';

export async function runConnectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      user: { type: 'string' },
      'client-id': { type: 'string', multiple: true },
      'client-metadata-url': { type: 'string' },
      'sign-in-timeout': { type: 'string' },
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
  const signInTimeoutMs = secondsOption(values['sign-in-timeout'], '--sign-in-timeout');
  // Ctrl-C while waiting for the person (browser, device code) cancels the sign-in: LOGIN_ABORTED.
  const cancel = new AbortController();
  const onInterrupt = () => cancel.abort();
  process.once('SIGINT', onInterrupt);
  try {
    return await connectAndShow(url, values, {
      signal: cancel.signal,
      ...(signInTimeoutMs !== undefined ? { signInTimeoutMs } : {}),
      grant: grantFor(values, omitResource, signInTimeoutMs),
    });
  } finally {
    stopSignInWait();
    process.off('SIGINT', onInterrupt);
  }
}

type ConnectValues = {
  user?: string | undefined;
  'client-id'?: string[] | undefined;
  'client-metadata-url'?: string | undefined;
  'device-code'?: boolean | undefined;
  call?: string | undefined;
  'trust-api'?: string[] | undefined;
};

/** An Entra (or Entra-strict lab) refusal says what is wrong with this PRM/scope pair and how to fix it. */
function grantFor(values: ConnectValues, omitResource: boolean | undefined, timeoutMs: number | undefined) {
  return explainingEntraRefusals(
    values['device-code']
      ? deviceCodeGrant({ show: showDeviceCode, omitResource: omitResource === true })
      : cliGrant({
          ...(values.user ? { user: values.user } : {}),
          omitResource: omitResource === true,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        }),
  );
}

/** `--client-id ID` (this server's authorization server) and `--client-id ISSUER=ID` (that issuer only). */
function clientsFrom(values: ConnectValues) {
  const byIssuer: Record<string, string> = {};
  let forThisServer: string | undefined;
  for (const v of values['client-id'] ?? []) {
    if (/^https?:\/\//i.test(v) && v.includes('=')) {
      const { issuer, clientId } = parseIssuerClientId(v);
      byIssuer[issuer] = clientId;
    } else forThisServer = v;
  }
  return preRegisteredClientFor({
    byIssuer,
    ...(forThisServer ? { forThisServer } : {}),
    // VS Code's id only where it is pre-authorised: Entra ID and the local lab.
    firstParty: {
      clientId: VSCODE_CLIENT_ID,
      preAuthorizedAt: (issuer) => isEntraIssuer(issuer) || isLabIssuer(issuer),
    },
  });
}

function secondsOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new SherpaError('BAD_ARGUMENT', `${flag} takes a number of seconds, got "${value.slice(0, 50)}"`);
  }
  return seconds * 1000;
}

async function connectAndShow(
  url: string,
  values: ConnectValues,
  o: Pick<ConnectOptions, 'signal' | 'signInTimeoutMs' | 'grant'>,
): Promise<number> {
  const trustArgs = values['trust-api'] ?? [];
  const trustedApis = trustedApisFromArgs(trustArgs, url);
  const bad = trustArgs.find((v) => Object.keys(trustedApisFromArgs([v], url)).length === 0);
  if (bad !== undefined) {
    throw new SherpaError('BAD_ARGUMENT', `--trust-api takes api://… or <mcp-url>=api://…, not ${bad}`);
  }
  const proxied = useProxyFromEnvironment();
  const connected = await connectServer(url, {
    ...o,
    // Behind a proxy the proxy resolves names: Sherpa's own lookup would fail or see another network.
    ...(proxied ? { resolveNames: false } : {}),
    credentials: clientsFrom(values),
    ...(values['client-metadata-url'] ? { clientMetadataUrl: values['client-metadata-url'] } : {}),
    preRegistrationHint: CLIENT_ID_HINT,
    onStep: (e) => {
      stopSignInWait(); // a step ends any wait for the person; its line prints on a clean line
      printStep(e);
    },
    trustedApis,
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
  // Core built the warning from printable parts (device-verification.ts).
  if (login.phishingWarning) process.stderr.write(`WARNING: ${login.phishingWarning}\n`);
  process.stderr.write(
    `To sign in, open ${toTerminalLine(login.verificationUriComplete ?? login.verificationUri, 2000)} and enter the code ${toTerminalLine(login.userCode)} (expires in ${Math.round(login.expiresIn / 60)} min).\n`,
  );
  startSignInWait('waiting for you to enter the code (Ctrl-C cancels)');
}
