/**
 * Sherpa's entry point. It only wires: services get what they need through constructors, every
 * disposable goes into context.subscriptions, commands are thin calls into the services.
 */
import * as vscode from 'vscode';
import { mkdirSync } from 'node:fs';
import type { SherpaApi } from './api';
import {
  SHERPA_AUTH_PROVIDER_ID,
  SHERPA_AUTH_PROVIDER_LABEL,
  SherpaAuthProvider,
  systemBrowser,
} from './auth/sherpa-auth-provider';
import { AzureSession } from './azure/azure-session';
import { vscodeAzureUi } from './azure/azure-ui';
import { startLabCommand, stopLabCommand } from './commands/lab-commands';
import {
  connectSecureCommand,
  connectServerCommand,
  connectVulnerableCommand,
  removeServerCommand,
} from './commands/connect-commands';
import type { ServerArg } from './commands/server-arg';
import { copyClaimValueCommand, copyTokenCommand, signOutCommand } from './commands/token-commands';
import { deviceCodeCommand } from './commands/device-code-commands';
import type { runToolCommand } from './commands/tool-commands';
import { setVulnerableTokenCommand } from './commands/vulnerable-token-commands';
import { McpJsonDiagnostics } from './mcp/mcp-json-diagnostics';
import { AuditTreeProvider } from './views/audit/audit-tree';
import { ConnectionManager } from './connect/connection-manager';
import { notificationPresenter } from './connect/device-code-grant';
import { askStepUp, providerSessionSource, TokenBroker, vscodeSessionSource } from './connect/token-broker';
import { SignInRequests } from './auth/sign-in-requests';
import { TestHookSlot } from './test-hooks';
import { TokenState } from './connect/token-state';
import { resolveEndpoints } from './endpoints';
import { LabController } from './lab/lab-controller';
import { BrowserAddresses } from './remote/browser-addresses';
import { MCP_PROVIDER_ID, SherpaMcpProvider } from './mcp/mcp-definition-provider';
import { SherpaLog } from './output-log';
import { affectsSherpa, readSettings } from './settings';
import { SherpaStatusBar } from './status-bar';
import { VulnerableTokenStore } from './vulnerable-token';
import { ServersTreeProvider } from './views/servers-tree';
import { ServerNode } from './views/server-node';
import { ToolNode } from './views/tool-node';
import { RESULT_SCHEME, ResultDocuments } from './views/result-documents';
import { TokenTreeProvider } from './views/token-tree';
import { VerifyTreeProvider } from './views/verify-tree';
import { apiTrustOffers, askApiTrust, migrateOldApiTrust } from './connect/api-trust';

/** The services activate() builds, each given what it needs; the views and commands are wired onto them. */
interface Services {
  log: SherpaLog;
  lab: LabController;
  endpoints: () => ReturnType<typeof resolveEndpoints>;
  vulnerableToken: VulnerableTokenStore;
  mcpProvider: SherpaMcpProvider;
  hooks: TestHookSlot;
  browser: BrowserAddresses;
  authProvider: SherpaAuthProvider;
  tokenBroker: TokenBroker;
  tokenState: TokenState;
  connections: ConnectionManager;
  results: ResultDocuments;
  azure: AzureSession;
}

interface Views {
  serversView: ServersTreeProvider;
  tokenView: TokenTreeProvider;
  auditView: AuditTreeProvider;
  mcpJsonDiagnostics: McpJsonDiagnostics;
  verifyView: VerifyTreeProvider;
  statusBar: SherpaStatusBar;
}

export function activate(context: vscode.ExtensionContext): SherpaApi | undefined {
  // Reported by `npm run bench` (test/bench/activation.ts reads the line logged at the end).
  const activationStarted = performance.now();
  const loadStarted = (globalThis as { __sherpaLoadStart?: number }).__sherpaLoadStart ?? activationStarted;
  const s = createServices(context);
  const views = createViews(context, s);
  const onEndpointsChanged = followChanges(context, s, views);
  registerCommands(context, s, views, onEndpointsChanged);

  if (readSettings().labAutostart) void startLabCommand(s.lab, s.log, s.browser);
  s.log.info(
    `Sherpa activated in ${(performance.now() - loadStarted).toFixed(1)} ms (bundle load ${(activationStarted - loadStarted).toFixed(1)} ms + activate ${(performance.now() - activationStarted).toFixed(1)} ms; VS Code ${vscode.version}${vscode.env.remoteName ? `, remote ${vscode.env.remoteName}` : ''})`,
  );

  // An installed Sherpa exports nothing: its services hold tokens, and the hooks could swap its browser.
  if (context.extensionMode === vscode.ExtensionMode.Production) return undefined;
  return {
    setTestHooks: (h) => s.hooks.set(h),
    mcpProvider: s.mcpProvider,
    authProvider: s.authProvider,
    tokenBroker: s.tokenBroker,
    tokenState: s.tokenState,
    tokenView: views.tokenView,
    serversView: views.serversView,
    connections: s.connections,
    statusBar: views.statusBar,
    lab: s.lab,
    vulnerableToken: s.vulnerableToken,
    auditView: views.auditView,
    mcpJsonDiagnostics: views.mcpJsonDiagnostics,
    browser: s.browser,
    azure: s.azure,
    verifyView: views.verifyView,
    logFile: vscode.Uri.joinPath(context.logUri, 'Sherpa.log'),
  };
}

/** The lab, the MCP definitions, sign-in and the connections, each registered for disposal. */
function createServices(context: vscode.ExtensionContext): Services {
  const subs = context.subscriptions;
  const log = new SherpaLog();
  subs.push(log);

  const dataDir = vscode.Uri.joinPath(context.globalStorageUri, 'lab').fsPath;
  mkdirSync(dataDir, { recursive: true });
  const lab = new LabController(log, { cliPath: context.asAbsolutePath('dist/sherpa.mjs'), dataDir });
  subs.push(lab);
  const endpoints = () => resolveEndpoints(readSettings(), lab.info);

  const vulnerableToken = new VulnerableTokenStore(context.secrets);
  subs.push(vulnerableToken);

  const mcpProvider = new SherpaMcpProvider(() => ({
    ...endpoints(),
    staticToken: vulnerableToken.currentFor(endpoints().vulnerableUrl),
  }));
  subs.push(mcpProvider);
  if (typeof vscode.lm?.registerMcpServerDefinitionProvider === 'function') {
    subs.push(vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, mcpProvider));
  } else {
    log.warn('This VS Code has no MCP server definition API; the servers are not offered to chat.');
  }

  // Every strategy below asks the test hooks first; only the extension tests can set them (test-hooks.ts).
  const hooks = new TestHookSlot();
  const browser = new BrowserAddresses(log, lab, () => readSettings().signInBrowser);
  const { authProvider, tokenBroker } = createSignIn(context, log, hooks, browser);

  const tokenState = new TokenState();
  const connections = new ConnectionManager({
    log,
    broker: tokenBroker,
    tokenState,
    endpoints,
    staticToken: (url) => vulnerableToken.get(url),
    clientId: () => readSettings().authClientId,
    trustedApis: () => readSettings().entraTrustedApis,
    offerApiTrust: apiTrustOffers(hooks.apiTrust(askApiTrust), log),
    labIdentity: () =>
      lab.info
        ? { issuer: lab.info.issuer, clientId: lab.info.clientId, tenantId: lab.info.tenantId }
        : undefined,
    apiClientId: () => readSettings().azure.apiClientId,
    labServers: () => (lab.info ? { secure: lab.info.secure, vulnerable: lab.info.vulnerable } : undefined),
    deviceCode: {
      clientId: () => readSettings().azureCliClientId,
      present: hooks.presenter(notificationPresenter(browser)),
    },
    registration: () => {
      const s = readSettings();
      return {
        clientIds: s.authClientIds,
        ...(s.authClientMetadataUrl ? { clientMetadataUrl: s.authClientMetadataUrl } : {}),
      };
    },
    signInTimeoutMs: () => hooks.signInTimeoutMs()() ?? readSettings().signInTimeoutMs,
  });
  subs.push(tokenState, connections);
  // The old flat api:// trust list grants nothing: ask the person to bind each entry to a server.
  void migrateOldApiTrust(log).catch((err: unknown) => log.warn(`api:// trust migration: ${String(err)}`));

  const results = new ResultDocuments();
  subs.push(results, vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, results));
  const azure = new AzureSession(hooks.azureUi(vscodeAzureUi));
  return {
    log,
    lab,
    endpoints,
    vulnerableToken,
    mcpProvider,
    hooks,
    browser,
    authProvider,
    tokenBroker,
    tokenState,
    connections,
    results,
    azure,
  };
}

/** Sherpa's authentication provider, registered with VS Code, and the broker that picks a provider. */
function createSignIn(
  context: vscode.ExtensionContext,
  log: SherpaLog,
  hooks: TestHookSlot,
  browser: BrowserAddresses,
): { authProvider: SherpaAuthProvider; tokenBroker: TokenBroker } {
  // The one explicit channel between the broker's getSession and the provider's createSession.
  const signIns = new SignInRequests();
  const authProvider = SherpaAuthProvider.create({
    secrets: context.secrets,
    signIns,
    log,
    defaults: () => ({ clientId: readSettings().authClientId }),
    browser,
    openBrowser: hooks.browser(systemBrowser(log, browser)),
    signInTimeoutMs: () => hooks.signInTimeoutMs()() ?? readSettings().signInTimeoutMs,
  });
  context.subscriptions.push(
    authProvider,
    vscode.authentication.registerAuthenticationProvider(
      SHERPA_AUTH_PROVIDER_ID,
      SHERPA_AUTH_PROVIDER_LABEL,
      authProvider,
      {
        supportsMultipleAccounts: true,
      },
    ),
  );
  const tokenBroker = new TokenBroker({
    authProvider,
    signIns,
    log,
    settings: () => {
      const s = readSettings();
      return {
        clientId: s.authClientId,
        trustedApis: s.entraTrustedApis,
        ...(s.entraTenant ? { tenant: s.entraTenant } : {}),
      };
    },
    sessions: hooks.sessions(vscodeSessionSource, providerSessionSource(authProvider)),
    confirmStepUp: hooks.stepUp(askStepUp),
  });
  return { authProvider, tokenBroker };
}

/** The tree views, the mcp.json diagnostics and the status bar. */
function createViews(context: vscode.ExtensionContext, s: Services): Views {
  const subs = context.subscriptions;
  const serversView = new ServersTreeProvider(s.connections, () => {
    const settings = readSettings();
    return {
      lab: s.lab.state,
      serverUrlConfigured: Boolean(settings.secureServerUrl ?? settings.vulnerableServerUrl),
    };
  });
  const tokenView = new TokenTreeProvider(s.tokenState, (id) => s.connections.find(id)?.label);
  const auditView = new AuditTreeProvider();
  const mcpJsonDiagnostics = new McpJsonDiagnostics();
  const serversTree = vscode.window.createTreeView('sherpa.servers', {
    treeDataProvider: serversView,
    showCollapseAll: true,
  });
  subs.push(
    serversView,
    tokenView,
    auditView,
    mcpJsonDiagnostics,
    serversTree,
    vscode.window.createTreeView('sherpa.audit', { treeDataProvider: auditView, showCollapseAll: true }),
    vscode.window.createTreeView('sherpa.token', { treeDataProvider: tokenView }),
    // Picking a server row puts its token in focus in the Token view and the status bar.
    serversTree.onDidChangeSelection((e) => {
      const id = serverIdOfNode(e.selection[0]);
      if (id) s.tokenState.select(id);
    }),
  );
  const verifyView = new VerifyTreeProvider();
  subs.push(verifyView, vscode.window.createTreeView('sherpa.verify', { treeDataProvider: verifyView }));
  const statusBar = new SherpaStatusBar(s.connections, s.tokenState, s.lab);
  subs.push(statusBar);
  return { serversView, tokenView, auditView, mcpJsonDiagnostics, verifyView, statusBar };
}

/**
 * Keeps the context keys (welcome views, menus), the MCP definitions and the views in step with the
 * state holders, which have no vscode import; returns the refresh that Refresh Views runs too.
 */
function followChanges(context: vscode.ExtensionContext, s: Services, views: Views): () => void {
  const setContext = (key: string, value: boolean) =>
    void vscode.commands.executeCommand('setContext', key, value);
  setContext('sherpa.anyConnected', false);
  setContext('sherpa.hasToken', false);
  // Settings and the lab's ports decide the URLs: keep the MCP definitions and the views in step.
  const onEndpointsChanged = () => {
    s.mcpProvider.refresh();
    views.serversView.refresh();
    views.statusBar.render();
  };
  context.subscriptions.push(
    s.connections.onDidChange(() => setContext('sherpa.anyConnected', s.connections.anyConnected())),
    s.tokenState.onDidChange(() => setContext('sherpa.hasToken', s.tokenState.all().length > 0)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsSherpa(e)) onEndpointsChanged();
    }),
    s.lab.onDidChangeState(onEndpointsChanged),
    s.vulnerableToken.onDidChange(() => s.mcpProvider.refresh()),
    s.authProvider.onDidChangeSessions((e) => {
      // Signed out from the Accounts menu: forget the tokens that belonged to the removed session.
      for (const r of e.removed ?? []) s.tokenState.forgetSession(r.id);
    }),
  );
  return onEndpointsChanged;
}

/**
 * The command modules that are not needed to activate, loaded on first use: they (and the core code
 * under them: @azure/*, the audit probes, the MCP SDK's schema checks) stay out of what VS Code loads at
 * every start (esbuild.mjs puts each in its own chunk; issue 20 §5).
 */
const lazyCommands = {
  azure: () => import('./commands/azure-commands'),
  azureProject: () => import('./commands/azure-project-commands'),
  audit: () => import('./commands/audit-commands'),
  auditMcpJson: () => import('./commands/audit-mcp-json-command'),
  tool: () => import('./commands/tool-commands'),
};

/** Every command in package.json `contributes.commands`, each a thin call into a handler. */
function registerCommands(
  context: vscode.ExtensionContext,
  s: Services,
  views: Views,
  onEndpointsChanged: () => void,
): void {
  const { lab, log, browser, connections, tokenState, authProvider, endpoints, vulnerableToken, azure } = s;
  const { auditView, verifyView } = views;
  const register = (id: string, run: (...args: never[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, run as (...args: unknown[]) => unknown));
  register('sherpa.lab.start', () => startLabCommand(lab, log, browser));
  register('sherpa.lab.stop', () => stopLabCommand(lab));
  const connectDeps = { connections, log, browser };
  register('sherpa.connectSecure', () => connectSecureCommand(connectDeps));
  register('sherpa.connectVulnerable', () => connectVulnerableCommand(connectDeps));
  register('sherpa.connectServer', (arg?: ServerArg) => connectServerCommand(connectDeps, arg));
  register('sherpa.removeServer', (arg?: ServerArg) => removeServerCommand(connectDeps, arg));
  register('sherpa.deviceCode', (arg?: ServerArg) => deviceCodeCommand(connections, log, arg));
  register('sherpa.signOut', (arg?: ServerArg) =>
    signOutCommand(authProvider, tokenState, connections, log, arg),
  );
  register(
    'sherpa.runTool',
    (target?: Parameters<typeof runToolCommand>[3], args?: Record<string, unknown>) =>
      lazyCommands.tool().then((m) => m.runToolCommand(connections, log, s.results, target, args)),
  );
  register('sherpa.copyToken', (arg?: ServerArg) => copyTokenCommand(tokenState, connections, log, arg));
  register('sherpa.copyClaimValue', (node?: { line?: { raw?: unknown } }) => copyClaimValueCommand(node));
  register('sherpa.refreshViews', () => onEndpointsChanged());
  register('sherpa.showLog', () => log.show());
  register('sherpa.setVulnerableToken', () =>
    setVulnerableTokenCommand(vulnerableToken, endpoints().vulnerableUrl, log),
  );
  const auditDeps = {
    log,
    connections,
    tokenState,
    endpoints,
    staticToken: (url: string) => vulnerableToken.get(url),
    view: auditView,
  };
  // A Servers row's context menu passes (node, selected nodes): the probes run only on an explicit `true`.
  register('sherpa.auditServer', (target?: string | { connection?: { url: string } }, probe?: unknown) =>
    lazyCommands
      .audit()
      .then((m) =>
        m.auditServerCommand(
          auditDeps,
          typeof target === 'string' ? target : target?.connection?.url,
          probe === true,
        ),
      ),
  );
  register('sherpa.audit.openSource', (url?: unknown) =>
    lazyCommands.audit().then((m) => m.openAuditSourceCommand(log, url)),
  );
  register('sherpa.validateSecurity', () =>
    lazyCommands.audit().then((m) => m.validateSecurityCommand(auditDeps)),
  );
  register('sherpa.auditMcpJson', () =>
    lazyCommands.auditMcpJson().then((m) => m.auditMcpJsonCommand(auditDeps)),
  );
  register('sherpa.audit.exportSarif', (o?: { target?: string; uri?: vscode.Uri }) =>
    lazyCommands.audit().then((m) => m.exportAuditCommand(auditView, 'sarif', o)),
  );
  register('sherpa.audit.exportMarkdown', (o?: { target?: string; uri?: vscode.Uri }) =>
    lazyCommands.audit().then((m) => m.exportAuditCommand(auditView, 'markdown', o)),
  );
  register('sherpa.explainManagedIdentity', async () => {
    const uri = vscode.Uri.joinPath(context.extensionUri, 'media', 'walkthrough', '3-managed-identity.md');
    await vscode.commands
      .executeCommand('markdown.showPreview', uri)
      .then(undefined, () => vscode.window.showTextDocument(uri));
    return uri.toString();
  });

  const az = lazyCommands.azure;
  register('sherpa.azure.signIn', () => az().then((m) => m.signInToAzureCommand(azure, log)));
  register('sherpa.azure.provision', () =>
    az().then((m) => m.provisionCommand(azure, log, context.extensionPath)),
  );
  register('sherpa.azure.createProject', () =>
    lazyCommands
      .azureProject()
      .then((m) => m.createDeploymentProjectCommand(azure.ui, log, context.extensionPath)),
  );
  register('sherpa.azure.registerApp', () => az().then((m) => m.registerAppCommand(azure, endpoints, log)));
  register('sherpa.azure.configure', () => az().then((m) => m.configureCommand(azure, log)));
  register('sherpa.azure.migrateSecrets', () => az().then((m) => m.migrateSecretsCommand(azure, log)));
  register('sherpa.azure.verify', (target?: 'azure' | 'lab') =>
    az().then((m) => m.verifyDeploymentCommand(azure, verifyView, endpoints, log, target)),
  );
  register('sherpa.azure.exportVerifyReport', () =>
    az().then((m) => m.exportVerifyReportCommand(verifyView)),
  );
}

/** The server a Servers view row stands for (a server row or one of its tools). */
function serverIdOfNode(node: unknown): string | undefined {
  if (node instanceof ServerNode) return node.connection.id;
  if (node instanceof ToolNode) return node.server;
  return undefined;
}

export function deactivate(): void {
  // Disposables (the lab process included) are cleaned up through context.subscriptions.
}
