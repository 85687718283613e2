/**
 * Sherpa as an MCP client of the two lab servers. Secure: core's engine, connectServer (401 →
 * WWW-Authenticate → RFC 9728 PRM with the resource check → AS metadata → client → token → initialize →
 * tools/list), with the token broker as its grant strategy; each step shown as progress and logged. Vulnerable: the static bearer token, and an explanation of why that is bad.
 */
import type { LabIdentity } from '../../lab/lab';
import * as vscode from 'vscode';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { publicClient } from '../../core/client/mcp-authorization';
import { connectServer, type ConnectedServer } from '../../core/client/connect-server';
import type { GrantStrategy } from '../../core/client/grant-strategy';
import type { ConnectStepEvent } from '../../core/client/steps';
import { connectMcp, type McpSession } from '../../core/mcp/mcp-connect';
import { isEntraIssuer } from '../../core/entra';
import { SherpaError, isSherpaError } from '../../core/errors';
import { ExtensionError } from '../errors';
import type { SherpaLog } from '../output-log';
import type { ServerEndpoints } from '../endpoints';
import { proxyResolvesNames } from '../settings';
import type { BrokeredToken, TokenBroker } from './token-broker';
import type { TokenState } from './token-state';

export type ServerKind = 'secure' | 'vulnerable';
export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'failed';

export interface ServerConnection {
  kind: ServerKind;
  url: string;
  status: ConnectionStatus;
  tools: Tool[];
  /** Last failure, for the tree item's tooltip. */
  error?: string;
  serverName?: string;
}

const STEP_TITLES: Record<ConnectStepEvent['step'], string> = {
  probe: 'Calling the server without a token (expecting 401)',
  prm: 'Reading Protected Resource Metadata (RFC 9728)',
  'as-metadata': 'Discovering the authorization server (RFC 8414)',
  registration: 'Choosing the client (pre-registered, CIMD or RFC 7591)',
  token: 'Getting an access token',
  initialize: 'MCP initialize with the token',
  tools: 'Listing tools',
  'step-up': 'Step-up: asking for more scope',
  retry: 'Token rejected: re-authenticating once',
};

export interface ConnectionManagerDeps {
  log: SherpaLog;
  broker: TokenBroker;
  tokenState: TokenState;
  endpoints: () => ServerEndpoints;
  /** The vulnerable server's static token for `url` (SecretStorage, bound to its origin; else the lab's). */
  staticToken: (url: string) => Promise<string>;
  clientId: () => string;
  /** On Entra: `api://…` identifier URIs the person trusts as the server's API (a machine setting). */
  trustedApiIdentifiers: () => string[];
  /** API client id and tenant the local lab reports, when the issuer is the lab's. */
  labIdentity: () => LabIdentity | undefined;
  /**
   * The API app's client id the person registered (`sherpa.azure.apiClientId`, set by Register Entra App):
   * Entra v2 tokens carry it as `aud`, and no public metadata names it when the scope is `{server URL}/…`.
   */
  apiClientId?: () => string | undefined;
}

export class ConnectionManager implements vscode.Disposable {
  private readonly connections = new Map<ServerKind, ServerConnection>();
  private secure: ConnectedServer | undefined;
  private vulnerable: McpSession | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: ConnectionManagerDeps) {}

  /** Both servers with their current state (URLs follow settings and the lab). */
  list(): ServerConnection[] {
    const urls = this.deps.endpoints();
    return (['vulnerable', 'secure'] as const).map((kind) => {
      const url = kind === 'secure' ? urls.secureUrl : urls.vulnerableUrl;
      const c = this.connections.get(kind);
      return c && c.url === url ? c : { kind, url, status: 'disconnected', tools: [] };
    });
  }

  get(kind: ServerKind): ServerConnection {
    return this.list().find((c) => c.kind === kind)!;
  }

  /** Connect Secure Server: the full OAuth discovery flow with progress for every network step. */
  async connectSecure(): Promise<ServerConnection> {
    const url = this.deps.endpoints().secureUrl;
    await this.disconnect('secure');
    this.update({ kind: 'secure', url, status: 'connecting', tools: [] });
    let lastToken: BrokeredToken | undefined;
    try {
      const connected = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Sherpa: connecting to ${url}`,
          cancellable: true,
        },
        async (progress, cancel) => {
          const abort = new AbortController();
          const lab = this.deps.labIdentity();
          // The broker (VS Code's authentication API) is the engine's grant strategy.
          const grant: GrantStrategy = {
            name: 'VS Code authentication',
            grantTypes: ['authorization_code'],
            getToken: async (request) => {
              lastToken = await this.deps.broker.getToken(request);
              return lastToken;
            },
          };
          const flow = connectServer(url, {
            credentials: publicClient(this.deps.clientId()),
            grant,
            resolveNames: !proxyResolvesNames(),
            trustedApiIdentifiers: this.deps.trustedApiIdentifiers(),
            signal: abort.signal,
            knownIdentity: (issuer) => {
              if (lab && lab.issuer === issuer) return { audiences: [lab.clientId], tenants: [lab.tenantId] };
              const registered = isEntraIssuer(issuer) ? this.deps.apiClientId?.() : undefined;
              return registered ? { audiences: [registered] } : undefined;
            },
            onStep: (e) => {
              this.deps.log.info(`[connect ${e.step}] ${e.status === 'ok' ? '✓' : '✗'} ${e.detail}`);
              if (e.status === 'ok') progress.report({ message: `${STEP_TITLES[e.step]} ✓` });
            },
          });
          // Not every step can be aborted (a pending getSession, AS discovery), so Cancel must not wait
          // for the flow: the progress notification closes only when this promise settles.
          return settleOnCancel(flow, cancel, abort);
        },
      );
      this.secure = connected;
      this.publishToken(connected, lastToken, url);
      return this.update({
        kind: 'secure',
        url,
        status: 'connected',
        tools: connected.tools,
        ...(connected.session.serverName ? { serverName: connected.session.serverName } : {}),
      });
    } catch (err) {
      this.update({
        kind: 'secure',
        url,
        status: 'failed',
        tools: [],
        error: err instanceof Error ? err.message : String(err),
      });
      throw withEditorHint(err);
    }
  }

  /** Connect Vulnerable Server: MCP with the static token — it works, which is the problem. */
  async connectVulnerable(): Promise<ServerConnection> {
    const url = this.deps.endpoints().vulnerableUrl;
    await this.disconnect('vulnerable');
    this.update({ kind: 'vulnerable', url, status: 'connecting', tools: [] });
    try {
      const session = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Sherpa: connecting to ${url} with the static token`,
        },
        async (progress) => {
          progress.report({ message: 'MCP initialize with Authorization: Bearer <static token>' });
          const s = await connectMcp(url, {
            accessToken: await this.deps.staticToken(url),
            clientName: 'sherpa-vscode',
          });
          progress.report({ message: 'Listing tools' });
          return { s, tools: await s.listTools() };
        },
      );
      this.vulnerable = session.s;
      this.deps.log.warn(
        `Connected to ${url} with a STATIC token: no expiry, no audience, no user identity, shared by everyone who can read the configuration.`,
      );
      return this.update({ kind: 'vulnerable', url, status: 'connected', tools: session.tools });
    } catch (err) {
      this.update({
        kind: 'vulnerable',
        url,
        status: 'failed',
        tools: [],
        error: err instanceof Error ? err.message : String(err),
      });
      throw withEditorHint(err);
    }
  }

  /** Runs a tool on a connected server (secure: with one silent re-auth on 401 and step-up on 403). */
  async callTool(kind: ServerKind, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const url = this.get(kind).url;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Sherpa: ${name} on ${url}` },
      async () => {
        if (kind === 'secure') {
          if (!this.secure) throw notConnected(kind);
          const before = this.secure.tokens.accessToken;
          const result = await this.secure.callTool(name, args);
          if (this.secure.tokens.accessToken !== before) this.publishToken(this.secure, undefined, url);
          return result;
        }
        if (!this.vulnerable) throw notConnected(kind);
        return this.vulnerable.callTool(name, args);
      },
    );
  }

  async disconnect(kind: ServerKind): Promise<void> {
    if (kind === 'secure' && this.secure) {
      await this.secure.close().catch(() => undefined);
      this.secure = undefined;
    }
    if (kind === 'vulnerable' && this.vulnerable) {
      await this.vulnerable.close().catch(() => undefined);
      this.vulnerable = undefined;
    }
    const c = this.connections.get(kind);
    if (c) this.update({ ...c, status: 'disconnected', tools: [] });
  }

  private publishToken(connected: ConnectedServer, brokered: BrokeredToken | undefined, url: string): void {
    const current = this.deps.tokenState.current;
    this.deps.tokenState.set({
      accessToken: connected.tokens.accessToken,
      source: `secure server sign-in (${brokered?.providerId ?? current?.providerId ?? 'oauth'})`,
      serverUrl: url,
      // What discovery learnt, once: the engine's expectations for this server's token.
      expectations: connected.expectations,
      ...((brokered?.sessionId ?? current?.sessionId)
        ? { sessionId: brokered?.sessionId ?? current?.sessionId }
        : {}),
      ...((brokered?.providerId ?? current?.providerId)
        ? { providerId: brokered?.providerId ?? current?.providerId }
        : {}),
    });
  }

  private update(c: ServerConnection): ServerConnection {
    this.connections.set(c.kind, c);
    const anyConnected = [...this.connections.values()].some((x) => x.status === 'connected');
    void vscode.commands.executeCommand('setContext', 'sherpa.anyConnected', anyConnected);
    this.changed.fire();
    return c;
  }

  dispose(): void {
    void this.secure?.close();
    void this.vulnerable?.close();
    this.changed.dispose();
  }
}

// Core's hints speak CLI ("run sherpa lab"); inside VS Code the fix is a command or a setting.
function withEditorHint(err: unknown): unknown {
  if (!isSherpaError(err, 'SERVER_UNREACHABLE')) return err;
  return new SherpaError(err.code, err.message, {
    cause: err,
    hint: 'Is the server running? Start the local lab with "Sherpa: Start Local Lab", or check the sherpa.secureServer.url / sherpa.vulnerableServer.url settings.',
    ...(err.details ? { details: err.details } : {}),
  });
}

/**
 * `work`, or a CONNECT_CANCELLED rejection as soon as the person presses Cancel — whichever comes first.
 * A flow that still completes after Cancel has its session closed, so nothing stays connected unseen.
 */
function settleOnCancel(
  work: Promise<ConnectedServer>,
  cancel: vscode.CancellationToken,
  abort: AbortController,
): Promise<ConnectedServer> {
  return new Promise<ConnectedServer>((resolve, reject) => {
    const onCancel = () => {
      abort.abort();
      reject(
        new ExtensionError('CONNECT_CANCELLED', 'Connecting was cancelled', {
          hint: 'Run "Sherpa: Connect Secure Server" again when you are ready to sign in.',
        }),
      );
      void work.then((late) => late.close()).catch(() => undefined);
    };
    const listener = cancel.onCancellationRequested(onCancel);
    if (cancel.isCancellationRequested) onCancel();
    work.then(resolve, reject).finally(() => listener.dispose());
  });
}

function notConnected(kind: ServerKind): ExtensionError {
  return new ExtensionError('NOT_CONNECTED', `The ${kind} server is not connected`, {
    hint: `Run "Sherpa: Connect ${kind === 'secure' ? 'Secure' : 'Vulnerable'} Server" first.`,
  });
}
