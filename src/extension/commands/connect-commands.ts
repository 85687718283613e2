/** Connect Secure Server / Connect Vulnerable Server / Connect to MCP Server… / Remove Server. */
import * as vscode from 'vscode';
import {
  CONNECT_NOTIFICATION,
  type ConnectionManager,
  type ServerConnection,
} from '../connect/connection-manager';
import { isSherpaError } from '../../core/errors';
import {
  LAB_SECURE_SERVER_ID,
  LAB_VULNERABLE_SERVER_ID,
  SECURE_SERVER_ID,
  VULNERABLE_SERVER_ID,
  type ServerId,
  type ServerTarget,
} from '../connect/server-target';
import { describeFailure } from '../errors';
import type { SherpaLog } from '../output-log';
import { showFailure } from '../show-failure';
import { countOf } from '../../core/plural';
import { parseServerUrl } from '../../core/mcp/server-url';
import { toQuickPickText } from '../../core/untrusted-text';
import { serversFromMcpJson } from '../mcp/mcp-json-servers';
import { deviceCodeFallbackReason } from '../../core/grants/sign-in-fallback';
import type { BrowserAddresses } from '../remote/browser-addresses';
import { pickServer } from './pick-server';
import { serverIdOf, type ServerArg } from './server-arg';

/** What a connect command returns (for tests and other commands). */
export interface ConnectOutcome {
  connection: ServerConnection;
  error?: { code?: string; message: string; hint?: string };
}

/** A URL refused before anything was sent (not a URL, plain http to a remote host, credentials in it). */
export interface RefusedUrl {
  connection?: undefined;
  error: { code?: string; message: string; hint?: string };
}

export interface ConnectDeps {
  connections: ConnectionManager;
  log: SherpaLog;
  browser?: BrowserAddresses;
}

export function connectSecureCommand(deps: ConnectDeps): Promise<ConnectOutcome> {
  return connectById(deps, SECURE_SERVER_ID);
}

export function connectVulnerableCommand(deps: ConnectDeps): Promise<ConnectOutcome> {
  return connectById(deps, VULNERABLE_SERVER_ID);
}

/**
 * "Sherpa: Connect to MCP Server…": a server row (or its id) connects that server; a URL string, a
 * server of the workspace's mcp.json or the URL the person types adds the server (checked by core's
 * parseServerUrl) and connects it next to the others. Undefined when the person cancels the input; a refused URL is shown and returned.
 */
export async function connectServerCommand(
  deps: ConnectDeps,
  arg?: ServerArg,
): Promise<ConnectOutcome | RefusedUrl | undefined> {
  const id = serverIdOf(arg);
  if (id && deps.connections.find(id)) return connectById(deps, id);
  let label: string | undefined;
  let typed = id;
  if (!typed) {
    const chosen = await chooseNewServer(deps);
    if (!chosen) return undefined;
    ({ url: typed, label } = chosen);
  }
  let url: URL;
  try {
    url = parseServerUrl(typed);
  } catch (err) {
    showFailure(deps.log, vscode.l10n.t('Connect to MCP Server failed'), err);
    return { error: describeFailure(err) };
  }
  return connectById(deps, deps.connections.add(url, label).id);
}

/**
 * The servers of the workspace's mcp.json that Sherpa does not list yet, then "Enter a URL…"; straight
 * to the URL input when there are none.
 */
async function chooseNewServer(deps: ConnectDeps): Promise<{ url: string; label?: string } | undefined> {
  const known = new Set(deps.connections.list().map((c) => c.url));
  const fromMcpJson = (await serversFromMcpJson()).filter((s) => {
    try {
      return !known.has(parseServerUrl(s.url).href);
    } catch {
      return true; // offered, and refused with its reason when picked
    }
  });
  if (!fromMcpJson.length) {
    const url = await askForUrl();
    return url === undefined ? undefined : { url };
  }
  const pick = await vscode.window.showQuickPick(
    [
      ...fromMcpJson.map((s) => ({
        label: toQuickPickText(s.name, 80),
        description: toQuickPickText(s.url, 200),
        detail: '.vscode/mcp.json',
        server: s,
      })),
      { label: vscode.l10n.t('Enter a URL…'), alwaysShow: true, server: undefined },
    ],
    { title: vscode.l10n.t('Connect to MCP Server'), matchOnDescription: true },
  );
  if (!pick) return undefined;
  if (pick.server) return { url: pick.server.url, label: pick.server.name };
  const url = await askForUrl();
  return url === undefined ? undefined : { url };
}

/** The URL the person typed (the input box refuses what parseServerUrl refuses); undefined on Cancel. */
async function askForUrl(): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: vscode.l10n.t('Connect to MCP Server'),
    prompt: vscode.l10n.t(
      "The MCP server's address. Sherpa finds out from the server itself how to sign in to it.",
    ),
    placeHolder: 'https://mcp.example.com/mcp',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        parseServerUrl(v);
        return undefined;
      } catch (err) {
        const f = describeFailure(err);
        return f.hint ? `${f.message} — ${f.hint}` : f.message;
      }
    },
  });
}

/** "Sherpa: Remove Server": forgets a server the person added (the configured two stay). */
export async function removeServerCommand(deps: ConnectDeps, arg?: ServerArg): Promise<boolean> {
  const added = deps.connections.list().filter((c) => c.added);
  const id =
    serverIdOf(arg) ??
    (await pickServer(
      added.map((c) => ({ id: c.id, label: c.label, description: c.url })),
      vscode.l10n.t('Remove which server?'),
    ));
  if (!id) return false;
  const removed = await deps.connections.remove(id);
  if (removed) deps.log.info(`Removed the server ${id}`);
  return removed;
}

async function connectById(deps: ConnectDeps, id: ServerId): Promise<ConnectOutcome> {
  const target = deps.connections.get(id);
  const what = target.added ? target.url : `the ${target.noun}`;
  try {
    const connection = await deps.connections.connect(id);
    if (connection.auth === 'static-token') {
      // The next step of the story: the same tools behind OAuth (the lab's pair when this is the lab's).
      const secureId =
        id === LAB_VULNERABLE_SERVER_ID && deps.connections.find(LAB_SECURE_SERVER_ID)
          ? LAB_SECURE_SERVER_ID
          : SECURE_SERVER_ID;
      const next = vscode.l10n.t('Connect Secure Server');
      void vscode.window
        .showWarningMessage(
          vscode.l10n.t(
            "Connected to {0} with its STATIC token ({1}). That token is shared by every client, never expires, names no user and sits in plain text in every client's and the server's configuration — whoever reads it can call these tools forever. Compare with Connect Secure Server.",
            what,
            countOf(connection.tools.length, 'tool'),
          ),
          next,
        )
        .then((choice) => {
          if (choice === next) void vscode.commands.executeCommand('sherpa.connectServer', secureId);
        });
    } else {
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'Connected to {0} with an OAuth access token: {1}. See the Token view for what is inside the token.',
          what,
          countOf(connection.tools.length, 'tool'),
        ),
      );
    }
    return { connection };
  } catch (err) {
    // The person's own Cancel is not a failure to report, nor a reason to offer another way in.
    if (isSherpaError(err, 'LOGIN_ABORTED') && err.details?.cancelledBy === CONNECT_NOTIFICATION) {
      deps.log.info(`Connecting ${target.url} was cancelled`);
      return { connection: deps.connections.get(id), error: describeFailure(err) };
    }
    const context = vscode.l10n.t('Connect {0}', target.added ? target.url : capitalised(target.noun));
    const reason =
      target.auth === 'oauth'
        ? deviceCodeFallbackReason(err, deps.browser?.isRemote ? deps.browser.describe() : undefined)
        : undefined;
    if (reason) offerDeviceCode(deps.log, target, reason, err);
    else
      showFailure(
        deps.log,
        vscode.l10n.t('{0} failed', context),
        err,
        // A server the person added and that does not answer is one they may want gone.
        target.added
          ? {
              title: vscode.l10n.t('Remove Server'),
              run: () => vscode.commands.executeCommand('sherpa.removeServer', id),
            }
          : undefined,
      );
    return { connection: deps.connections.get(id), error: describeFailure(err) };
  }
}

function capitalised(noun: string): string {
  return noun.replace(/\b\w/g, (c) => c.toUpperCase());
}

/**
 * The browser route failed in a way the device code flow avoids (no redirect back to VS Code): say why,
 * and make it one click. Not awaited, so the command finishes.
 */
function offerDeviceCode(log: SherpaLog, target: ServerTarget, reason: string, err: unknown): void {
  const context = vscode.l10n.t('Connect {0}', target.added ? target.url : capitalised(target.noun));
  log.error(`${context}: the browser sign-in could not complete`, err);
  const action = vscode.l10n.t('Sign In with Device Code');
  const showLog = vscode.l10n.t('Show Log');
  void vscode.window
    .showWarningMessage(
      vscode.l10n.t(
        '{0}: {1}. The device code flow (RFC 8628) needs no way back: you enter a code on the sign-in page instead.',
        context,
        reason,
      ),
      action,
      showLog,
    )
    .then((choice) => {
      if (choice === action) void vscode.commands.executeCommand('sherpa.deviceCode', target.id);
      if (choice === showLog) log.show();
    });
}
