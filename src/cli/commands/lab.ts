import { parseArgs } from 'node:util';
import { LAB_DEFAULT_PORTS, LAB_USERS } from '../../servers/shared/lab-defaults';
import {
  ControlLineReader,
  handleControlLine,
  oversizedLineReply,
  type ControlTarget,
} from '../../lab/control-channel';
import type { LabInfo } from '../../lab/lab';
import { withProgress } from '../progress';

export const labUsage = `sherpa lab [--json] [--data-dir DIR] [--host 127.0.0.1] [--strict] [--entra]
           [--as-port ${LAB_DEFAULT_PORTS.authorizationServer}] [--vulnerable-port ${LAB_DEFAULT_PORTS.vulnerable}] [--secure-port ${LAB_DEFAULT_PORTS.secure}]
           [--proxy-port ${LAB_DEFAULT_PORTS.proxy}] [--prm-scope SCOPE]... [--browser-url URL]...
  Starts the local lab (authorization server + both MCP servers) until Ctrl-C. Port 0 = any free port.
  --entra: the authorization server poses as Entra ID (https://login.microsoftonline.com/{tenant}/v2.0,
  TLS with a lab CA kept in the data folder), reached through the lab proxy on --proxy-port.
  --prm-scope: what the secure server's PRM advertises in scopes_supported (default {its URL}/access_as_user;
  api://c0a8f3e2-…/access_as_user is the workshop's pair that Entra refuses next to resource = the URL).
  --browser-url: where a browser on another machine reaches the sign-in server through a port forwarder
  (e.g. https://NAME-7480.app.github.dev/ in a Codespace); the lab then accepts that address.
  --json prints one JSON line when ready: {issuer, authorizationServer, vulnerable, secure, tenantId, clientId,
  dataDir[, entra: {issuer, authority, tlsOrigin, tlsPort, proxyUrl, caPath, tenantId, clientIds, users, …}]}`;

function parsePort(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new Error(`--${name} must be a port number between 0 and 65535 (got '${value}')`);
  }
  return n;
}

/** `sherpa lab`: runs until SIGINT/SIGTERM, then closes every server before exiting. */
export async function runLabCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      strict: { type: 'boolean', default: false },
      entra: { type: 'boolean', default: false },
      'proxy-port': { type: 'string' },
      'prm-scope': { type: 'string', multiple: true },
      'as-port': { type: 'string' },
      'vulnerable-port': { type: 'string' },
      'secure-port': { type: 'string' },
      'browser-url': { type: 'string', multiple: true },
    },
  });
  // Loaded here, not at the top: `sherpa --help` must not load the authorization server (oidc-provider).
  const { startLab } = await import('../../lab/lab');
  // Key generation and three servers take a few seconds on a first start: say so at a terminal.
  const lab = await withProgress('starting the local lab', { machine: values.json }, () =>
    startLab({
      host: values.host,
      dataDir: values['data-dir'] ?? process.env.SHERPA_LAB_DIR,
      strict: values.strict,
      entra: values.entra,
      secureScopesSupported: values['prm-scope'],
      ports: {
        proxy: parsePort(values['proxy-port'], 'proxy-port', LAB_DEFAULT_PORTS.proxy),
        authorizationServer: parsePort(values['as-port'], 'as-port', LAB_DEFAULT_PORTS.authorizationServer),
        vulnerable: parsePort(values['vulnerable-port'], 'vulnerable-port', LAB_DEFAULT_PORTS.vulnerable),
        secure: parsePort(values['secure-port'], 'secure-port', LAB_DEFAULT_PORTS.secure),
      },
    }),
  );
  for (const external of values['browser-url'] ?? []) {
    try {
      lab.addForwardedAddress({ internal: `${lab.authorizationServer}/`, external });
    } catch (err) {
      await lab.close();
      throw new Error(
        `--browser-url ${external}: ${(err as Error).message} (give the forwarded base, e.g. https://host/)`,
        { cause: err },
      );
    }
  }
  const info: LabInfo = {
    issuer: lab.issuer,
    authorizationServer: lab.authorizationServer,
    vulnerable: lab.vulnerable,
    secure: lab.secure,
    tenantId: lab.tenantId,
    clientId: lab.clientId,
    dataDir: lab.dataDir,
    ...(lab.entra ? { entra: lab.entra } : {}),
  };
  process.stdout.write(
    values.json ? JSON.stringify(info) + '\n' : describeLab(info, values['browser-url'] ?? []),
  );
  await untilStopped(lab);
  await lab.close();
  return 0;
}

/** What `sherpa lab` prints for a person: where everything is and who can sign in. */
function describeLab(info: LabInfo, browserUrls: string[]): string {
  const users = LAB_USERS.map(
    (u) => `${u.username} / ${u.password}${u.roles.length ? ` (${u.roles.join(', ')})` : ''}`,
  );
  return [
    'Sherpa local lab is running (Ctrl-C to stop)',
    `  Authorization server  ${info.authorizationServer}${browserUrls.length ? ` (browsers also at ${browserUrls.join(', ')})` : ''}`,
    `  Issuer                ${info.issuer}`,
    `  Vulnerable MCP server ${info.vulnerable}   (static token — insecure on purpose)`,
    `  Secure MCP server     ${info.secure}   (OAuth 2.1, PRM at /.well-known/oauth-protected-resource/mcp)`,
    `  Tenant                ${info.tenantId}`,
    `  API client id (aud)   ${info.clientId}`,
    `  Data folder           ${info.dataDir}`,
    `  Lab users             ${users.join('; ')}`,
    ...(info.entra
      ? [
          `  Posing as Entra ID    ${info.entra.authority} (TLS on ${info.entra.tlsOrigin})`,
          `  Lab proxy             ${info.entra.proxyUrl}   (login.microsoftonline.com → the lab; the lab's own ports pass; all else 403)`,
          `  Lab CA (trust this)   ${info.entra.caPath}`,
        ]
      : []),
    '',
  ].join('\n');
}

/**
 * Resolves on SIGINT/SIGTERM, or when a parent that spawned the lab with a pipe on stdin (the extension,
 * tests) closes it; such a parent also registers forwarded addresses over it (src/lab/control-channel.ts).
 */
function untilStopped(lab: ControlTarget): Promise<void> {
  return new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (process.env.SHERPA_LAB_STOP_ON_STDIN_END === '1') {
      process.stdin.once('end', stop);
      const reply = (r: unknown) => process.stdout.write(JSON.stringify(r) + '\n');
      const reader = new ControlLineReader(
        (line) => {
          if (line.trim()) reply(handleControlLine(line, lab));
        },
        () => reply(oversizedLineReply()),
      );
      process.stdin.on('data', (chunk: Buffer) => reader.push(chunk));
    }
  });
}
