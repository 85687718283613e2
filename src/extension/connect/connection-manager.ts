/**
 * Sherpa as an MCP client of every server it knows (connection-registry.ts, keyed by server id). An
 * `oauth` server: core's engine, connectServer (401 → WWW-Authenticate → RFC 9728 PRM with the resource
 * check → AS metadata → client → token → initialize → tools/list), with the token broker as its grant
 * strategy; each step shown as progress and logged. A `static-token` server (the vulnerable one): the
 * static bearer token, and why that is bad.
 */
import type { LabIdentity } from '../../lab/lab';
import * as vscode from 'vscode';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { IssuerClient } from '../../core/client/authorization-config';
import { preRegisteredClientFor } from '../../core/client/pre-registered-clients';
import { isLabIssuer } from '../../lab/lab-issuer';
import type { ConnectedServer } from '../../core/client/connect-server';
import type { GrantStrategy } from '../../core/client/grant-strategy';
import type { ConnectStepEvent } from '../../core/client/steps';
import { networkPolicyFor } from '../../core/net/guarded-fetch';
import { withStartLocalServerHint } from '../../core/net/network-failure';
import type { TrustedApiIdentifiers } from '../../core/client/trusted-apis';
import { isEntraIssuer } from '../../core/entra';
import { SherpaError } from '../../core/errors';
import { ExtensionError } from '../errors';
import type { SherpaLog } from '../output-log';
import type { ServerEndpoints } from '../endpoints';
import { proxyResolvesNames } from '../settings';
import type { BrokeredToken, TokenBroker } from './token-broker';
import { ConnectionRegistry, type ServerConnection } from './connection-registry';
import { configuredServers, type ServerId, type ServerTarget } from './server-target';
import type { TokenState } from './token-state';
import { deviceCodeStrategy, type PresentDeviceCode } from './device-code-grant';

export type { ConnectionStatus, ServerConnection } from './connection-registry';

// On screen, plain words; the log line of each step names the protocol (RFC 9728 metadata, RFC 8414
// discovery, a pre-registered / CIMD / RFC 7591 client). A function: the strings are looked up in the
// active locale's bundle.
const stepTitle = (step: ConnectStepEvent['step']): string =>
  (
    ({
      probe: vscode.l10n.t('Asking the server how to sign in'),
      prm: vscode.l10n.t("Reading the server's sign-in details"),
      'as-metadata': vscode.l10n.t('Finding its sign-in service'),
      registration: vscode.l10n.t('Identifying Sherpa to the sign-in service'),
      token: vscode.l10n.t('Getting an access token'),
      initialize: vscode.l10n.t('Opening the session with the token'),
      tools: vscode.l10n.t('Listing tools'),
      'step-up': vscode.l10n.t('Asking for more permissions'),
      retry: vscode.l10n.t('Token refused: signing in once more'),
    }) satisfies Record<ConnectStepEvent['step'], string>
  )[step];

export interface ConnectionManagerDeps {
  log: SherpaLog;
  broker: TokenBroker;
  tokenState: TokenState;
  endpoints: () => ServerEndpoints;
  /** The vulnerable server's static token for `url` (SecretStorage, bound to its origin; else the lab's). */
  staticToken: (url: string) => Promise<string>;
  clientId: () => string;
  /** On Entra: `api://…` identifier URIs trusted per server URL (a machine setting, user settings only). */
  trustedApis: () => TrustedApiIdentifiers;
  /**
   * After a refusal: offer to trust the refused `api://` identifier for this server (connect/api-trust.ts);
   * true = the person agreed and it is stored, so connect once more.
   */
  offerApiTrust?: (err: unknown, serverUrl: string) => Promise<boolean>;
  /** API client id and tenant the local lab reports, when the issuer is the lab's. */
  labIdentity: () => LabIdentity | undefined;
  /**
   * The API app's client id the person registered (`sherpa.azure.apiClientId`, set by Register Entra App):
   * Entra v2 tokens carry it as `aud`, and no public metadata names it when the scope is `{server URL}/…`.
   */
  apiClientId?: () => string | undefined;
  /** The MCP URLs of the lab Sherpa runs, if it runs (listed too when the settings name other servers). */
  labServers: () => { secure: string; vulnerable: string } | undefined;
  /** The device code grant: its client id (`sherpa.auth.azureCliClientId`) and how the code is shown. */
  deviceCode: { clientId: () => string; present: PresentDeviceCode };
  /** Client ids registered at other issuers (`sherpa.auth.clientIds`) and Sherpa's CIMD URL, if hosted. */
  registration: () => { clientIds: Record<string, string>; clientMetadataUrl?: string };
  /** How long a person has to sign in (`sherpa.auth.signInTimeoutSeconds`). */
  signInTimeoutMs: () => number;
}

/** What the person does when a server needs a pre-registered client (NO_CLIENT_REGISTRATION's hint). */
const CLIENT_ID_HINT =
  'Register a client at this sign-in server, then add its id to the setting "sherpa.auth.clientIds" as { "<issuer>": "<client id>" } and connect again.';

/** How an OAuth server's token is obtained: VS Code's authentication API, or the device code grant. */
export type OAuthGrant = 'vscode' | 'device-code';

/** Where the current token of a session came from, for the Token view and Sign Out. */
interface TokenOrigin {
  source: string;
  providerId?: string;
  sessionId?: string;
}

/** A live MCP session: an OAuth one also carries the tokens the connect flow obtained. */
interface LiveSession {
  close(): Promise<void>;
  callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  oauth?: ConnectedServer;
  /** Asked again after a call replaced the token (the broker's last session may be a new one). */
  origin?: () => TokenOrigin;
}

export class ConnectionManager implements vscode.Disposable {
  private readonly registry: ConnectionRegistry<LiveSession>;
  /**
   * Dynamic registrations (RFC 7591) per grant, by issuer, for this window's lifetime (memory only):
   * connecting again reuses the client, and so the session Sherpa's provider keeps for it.
   */
  private readonly registrations: Record<OAuthGrant, Map<string, IssuerClient>> = {
    vscode: new Map(),
    'device-code': new Map(),
  };
  readonly onDidChange: vscode.Event<void>;

  constructor(private readonly deps: ConnectionManagerDeps) {
    this.registry = new ConnectionRegistry<LiveSession>(() =>
      configuredServers(deps.endpoints(), deps.labServers()),
    );
    this.onDidChange = this.registry.onDidChange;
  }

  /** Every server with its current state: the configured two (URLs follow settings and the lab), then the added ones. */
  list(): ServerConnection[] {
    return this.registry.list();
  }

  /** The server with `id` (UNKNOWN_SERVER if Sherpa knows none). */
  get(id: ServerId): ServerConnection {
    return this.registry.get(id);
  }

  find(id: ServerId): ServerConnection | undefined {
    return this.registry.find(id);
  }

  /** The known server at exactly `url`. */
  byUrl(url: string): ServerConnection | undefined {
    return this.registry.byUrl(url);
  }

  anyConnected(): boolean {
    return this.registry.anyConnected();
  }

  /** Adds a server by URL (parsed by core's parseServerUrl); a known URL returns the server already there. */
  add(url: URL, label?: string): ServerTarget {
    return this.registry.add(url, label);
  }

  /** Forgets an added server, its session and its token. */
  async remove(id: ServerId): Promise<boolean> {
    const removed = await this.registry.remove(id);
    if (removed) this.deps.tokenState.set(id, undefined);
    return removed;
  }

  /**
   * Connects `id` the way its `auth` says: OAuth discovery, or the static token. An OAuth server's token
   * comes from VS Code's authentication API, or with `grant: 'device-code'` from the device code grant.
   */
  async connect(id: ServerId, o: { grant?: OAuthGrant } = {}): Promise<ServerConnection> {
    const target = this.registry.get(id);
    if (target.auth === 'static-token') return this.connectStatic(target);
    try {
      return await this.connectOAuth(target, o.grant ?? 'vscode');
    } catch (err) {
      // An Entra api:// scope the person has not trusted for this server: ask, naming the server, once.
      if (!(await this.deps.offerApiTrust?.(err, target.url))) throw err;
      return this.connectOAuth(this.registry.get(id), o.grant ?? 'vscode');
    }
  }

  /** The engine's flow (core/client/connect-server.ts) with progress for every network step. */
  private async connectOAuth(target: ServerTarget, via: OAuthGrant): Promise<ServerConnection> {
    const { id, url } = target;
    await this.registry.disconnect(id);
    this.registry.update({ ...target, status: 'connecting', tools: [] });
    let lastToken: BrokeredToken | undefined;
    // The broker (VS Code's authentication API) or the device code grant is the engine's grant strategy.
    const clientId = via === 'device-code' ? this.deps.deviceCode.clientId() : this.deps.clientId();
    const grant: GrantStrategy =
      via === 'device-code'
        ? deviceCodeStrategy(this.deps.deviceCode.present, this.deps.log)
        : {
            name: 'VS Code authentication',
            grantTypes: ['authorization_code'],
            getToken: async (request) => {
              lastToken = await this.deps.broker.getToken(request);
              return lastToken;
            },
          };
    const origin = (): TokenOrigin =>
      via === 'device-code'
        ? { source: `device code (client ${clientId})` }
        : {
            source: `${target.noun} sign-in (${lastToken?.providerId ?? 'oauth'})`,
            ...(lastToken ? { providerId: lastToken.providerId, sessionId: lastToken.sessionId } : {}),
          };
    try {
      const connected = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title:
            via === 'device-code'
              ? vscode.l10n.t('Sherpa: device code sign-in for {0}', url)
              : vscode.l10n.t('Sherpa: connecting to {0}', url),
          cancellable: true,
        },
        async (progress, cancel) => {
          const abort = new AbortController();
          const lab = this.deps.labIdentity();
          const { clientIds, clientMetadataUrl } = this.deps.registration();
          // The client flow and the MCP SDK load at the first connect, not at activation (issue 20 §5).
          const { connectServer } = await import('../../core/client/connect-server');
          const flow = connectServer(url, {
            // VS Code's (or Azure CLI's) id only where it is pre-authorised: Entra ID and the local lab;
            // elsewhere an id the person registered there, else CIMD, else RFC 7591 registration.
            credentials: preRegisteredClientFor({
              byIssuer: clientIds,
              firstParty: {
                clientId,
                preAuthorizedAt: (iss) => isEntraIssuer(iss) || isLabIssuer(iss) || lab?.issuer === iss,
              },
            }),
            ...(clientMetadataUrl ? { clientMetadataUrl } : {}),
            preRegistrationHint: CLIENT_ID_HINT,
            registrations: this.registrations[via],
            signInTimeoutMs: this.deps.signInTimeoutMs(),
            grant,
            resolveNames: !proxyResolvesNames(),
            trustedApis: this.deps.trustedApis(),
            signal: abort.signal,
            knownIdentity: (issuer) => {
              if (lab && lab.issuer === issuer) return { audiences: [lab.clientId], tenants: [lab.tenantId] };
              const registered = isEntraIssuer(issuer) ? this.deps.apiClientId?.() : undefined;
              return registered ? { audiences: [registered] } : undefined;
            },
            onStep: (e) => {
              this.deps.log.info(`[connect ${e.step}] ${e.status === 'ok' ? '✓' : '✗'} ${e.detail}`);
              if (e.status === 'ok') progress.report({ message: `${stepTitle(e.step)} ✓` });
            },
          });
          // Not every step can be aborted (a pending getSession, AS discovery), so Cancel must not wait
          // for the flow: the progress notification closes only when this promise settles.
          return settleOnCancel(flow, cancel, abort, target);
        },
      );
      this.registry.setSession(id, {
        close: () => connected.close(),
        callTool: (name, args) => connected.callTool(name, args),
        oauth: connected,
        origin,
      });
      this.publishToken(target, connected, origin());
      return this.registry.update({
        ...target,
        status: 'connected',
        tools: connected.tools,
        ...(connected.session.serverName ? { serverName: connected.session.serverName } : {}),
      });
    } catch (err) {
      throw this.failed(target, err);
    }
  }

  /** MCP with the static token — it works, which is the problem. */
  private async connectStatic(target: ServerTarget): Promise<ServerConnection> {
    const { id, url } = target;
    await this.registry.disconnect(id);
    this.registry.update({ ...target, status: 'connecting', tools: [] });
    try {
      const session = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Sherpa: connecting to {0} with the static token', url),
        },
        async (progress) => {
          progress.report({
            message: vscode.l10n.t('MCP initialize with Authorization: Bearer <static token>'),
          });
          const { connectMcp, createMcpFetch } = await import('../../core/mcp/mcp-connect');
          const s = await connectMcp(url, {
            accessToken: await this.deps.staticToken(url),
            clientName: 'sherpa-vscode',
            // Behind http.proxy the proxy resolves names (and VS Code's fetch takes the proxy).
            fetch: createMcpFetch(await networkPolicyFor(url, { resolve: !proxyResolvesNames() })),
          });
          progress.report({ message: vscode.l10n.t('Listing tools') });
          return { s, tools: await s.listTools() };
        },
      );
      this.registry.setSession(id, session.s);
      this.deps.log.warn(
        `Connected to ${url} with a STATIC token: no expiry, no audience, no user identity, shared by everyone who can read the configuration.`,
      );
      return this.registry.update({ ...target, status: 'connected', tools: session.tools });
    } catch (err) {
      throw this.failed(target, err);
    }
  }

  /** Marks `target` failed with the error's message; the error to throw, with the editor's hint. */
  private failed(target: ServerTarget, err: unknown): unknown {
    this.registry.update({
      ...target,
      status: 'failed',
      tools: [],
      error: err instanceof Error ? err.message : String(err),
    });
    return withEditorHint(err, target);
  }

  /** Runs a tool on a connected server (OAuth: with one silent re-auth on 401 and step-up on 403). */
  async callTool(id: ServerId, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const target = this.registry.get(id);
    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Sherpa: {0} on {1}', name, target.url),
      },
      async () => {
        const live = this.registry.session(id);
        if (!live) throw notConnected(target);
        const before = live.oauth?.tokens.accessToken;
        const result = await live.callTool(name, args);
        // A re-auth or step-up inside the call replaced the token: the Token view follows.
        if (live.oauth && live.origin && live.oauth.tokens.accessToken !== before)
          this.publishToken(target, live.oauth, live.origin());
        return result;
      },
    );
  }

  async disconnect(id: ServerId): Promise<void> {
    await this.registry.disconnect(id);
  }

  private publishToken(target: ServerTarget, connected: ConnectedServer, origin: TokenOrigin): void {
    this.deps.tokenState.set(target.id, {
      accessToken: connected.tokens.accessToken,
      source: origin.source,
      serverUrl: target.url,
      // What discovery learnt, once: the engine's expectations for this server's token.
      expectations: connected.expectations,
      ...(origin.sessionId ? { sessionId: origin.sessionId } : {}),
      ...(origin.providerId ? { providerId: origin.providerId } : {}),
    });
  }

  dispose(): void {
    this.registry.dispose();
  }
}

// Core words every network failure (core/net/network-failure.ts) the way `sherpa connect` and `sherpa audit`
// say it; only the next step for nothing listening on loopback is an editor's own: a command, not `sherpa lab`.
function withEditorHint(err: unknown, target: ServerTarget): unknown {
  return withStartLocalServerHint(
    err,
    target.added
      ? 'Is the server running? Start it, or remove it with "Sherpa: Remove Server".'
      : 'Is the server running? Start the local lab with "Sherpa Lab: Start Local Lab", or check the sherpa.secureServer.url / sherpa.vulnerableServer.url settings.',
  );
}

/** Marks the LOGIN_ABORTED of the person's Cancel on the connect notification (no error shown for it). */
export const CONNECT_NOTIFICATION = 'connect-notification';

/**
 * `work`, or a LOGIN_ABORTED rejection as soon as the person presses Cancel — whichever comes first.
 * A flow that still completes after Cancel has its session closed, so nothing stays connected unseen.
 */
function settleOnCancel(
  work: Promise<ConnectedServer>,
  cancel: vscode.CancellationToken,
  abort: AbortController,
  target: ServerTarget,
): Promise<ConnectedServer> {
  return new Promise<ConnectedServer>((resolve, reject) => {
    const onCancel = () => {
      abort.abort();
      reject(
        new SherpaError('LOGIN_ABORTED', 'Connecting was cancelled', {
          hint: `Connect the ${target.noun} again when you are ready to sign in.`,
          details: { cancelledBy: CONNECT_NOTIFICATION },
        }),
      );
      void work.then((late) => late.close()).catch(() => undefined);
    };
    const listener = cancel.onCancellationRequested(onCancel);
    if (cancel.isCancellationRequested) onCancel();
    work.then(resolve, reject).finally(() => listener.dispose());
  });
}

function notConnected(target: ServerTarget): ExtensionError {
  return new ExtensionError('NOT_CONNECTED', `The ${target.noun} is not connected`, {
    hint: `Connect ${target.added ? target.url : `the ${target.noun}`} from the Servers view first.`,
  });
}
