/**
 * Sherpa's own VS Code authentication provider (`sherpa-oauth`) for any OAuth 2.1 authorization server
 * that is not Entra ID: the local lab, Auth0, Keycloak… Sign-in is the authorization code grant with
 * PKCE S256 and a loopback redirect on 127.0.0.1 (RFC 6749 §4.1, RFC 7636, RFC 8252 §7.3), done by
 * src/core/grants/authorization-code.ts (openid-client). Sessions live in SecretStorage only, are keyed per
 * issuer (pseudo-scopes, see scope-encoding.ts), are refreshed when expired (RFC 6749 §6) and are
 * deleted on sign-out.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type * as client from 'openid-client';
import { loginWithAuthorizationCode, refreshTokens } from '../../core/grants/authorization-code';
import { createGuardedFetch, networkPolicyFor } from '../../core/net/guarded-fetch';
import { decodeToken } from '../../core/token/token-inspection';
import type { TokenSet } from '../../core/token/token-set';
import { assertOpenableUrl } from '../../core/url';
import { VSCODE_CLIENT_ID } from '../../core/well-known-ids';
import { SherpaError } from '../../core/errors';
import { ExtensionError } from '../errors';
import type { SherpaLog } from '../output-log';
import type { BrowserAddresses } from '../remote/browser-addresses';
import { proxyResolvesNames } from '../settings';
import { decodeSherpaScopes, encodeSherpaScopes, type SherpaScopeRequest } from './scope-encoding';
import { SessionStore, type StoredSession } from './session-store';
import type { SignInRequests } from './sign-in-requests';

export const SHERPA_AUTH_PROVIDER_ID = 'sherpa-oauth';
export const SHERPA_AUTH_PROVIDER_LABEL = 'Sherpa OAuth';

/** Opens the authorization URL for the person (the extension tests drive the lab's login form instead). */
export type OpenBrowser = (url: URL) => Promise<void>;

export interface SherpaAuthProviderOptions {
  secrets: vscode.SecretStorage;
  log: SherpaLog;
  /** The client id to sign in with when the request names none (`sherpa.auth.clientId`). */
  defaults: () => { clientId: string };
  /** Where the browser is: a remote one gets forwarded addresses, the redirect URI included. */
  browser?: BrowserAddresses;
  /** How the authorization URL reaches the person; default {@link systemBrowser}. */
  openBrowser?: OpenBrowser;
  /** How long a browser sign-in may take; undefined = core's default (5 min). Asked per sign-in. */
  signInTimeoutMs?: () => number | undefined;
  /**
   * The broker's open sign-in requests (sign-in-requests.ts): createSession claims its own for the
   * engine's Configuration and records its failure there. Shared with the TokenBroker.
   */
  signIns: SignInRequests;
}

/**
 * The system browser via `vscode.env.openExternal` (https or loopback http only), at its forwarded
 * address when the browser is remote.
 */
export function systemBrowser(log: SherpaLog, browser?: BrowserAddresses): OpenBrowser {
  return async (url) => {
    const safe = assertOpenableUrl(url);
    const opened = browser
      ? await browser.open(safe.href)
      : await vscode.env.openExternal(vscode.Uri.parse(safe.href));
    if (!opened) log.warn('The browser did not open; copy the sign-in URL from the notification.');
  };
}

/** Refresh this many seconds before `exp`, so a token is not sent just as it expires. */
const EXPIRY_MARGIN_SECONDS = 60;

export class SherpaAuthProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changed =
    new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  private readonly store: SessionStore;
  /** Serialises read-modify-write of the one SecretStorage entry. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly signIns: SignInRequests;
  private readonly log: SherpaLog;
  private readonly defaults: () => { clientId: string };
  private readonly browser: BrowserAddresses | undefined;
  private readonly openBrowser: OpenBrowser;
  private readonly signInTimeoutMs: () => number | undefined;

  /** Sherpa's provider over `o.secrets` (see {@link SherpaAuthProviderOptions} for the strategies). */
  static create(o: SherpaAuthProviderOptions): SherpaAuthProvider {
    return new SherpaAuthProvider(o);
  }

  private constructor(o: SherpaAuthProviderOptions) {
    this.store = new SessionStore(o.secrets);
    this.log = o.log;
    this.defaults = o.defaults;
    this.browser = o.browser;
    this.openBrowser = o.openBrowser ?? systemBrowser(o.log, o.browser);
    this.signInTimeoutMs = o.signInTimeoutMs ?? (() => undefined);
    this.signIns = o.signIns;
  }

  /** Sessions whose issuer, resource, client and scopes cover the request; expired ones are refreshed or dropped. */
  getSessions(scopes: readonly string[] | undefined): Promise<vscode.AuthenticationSession[]> {
    return this.serialise(async () => {
      const all = await this.store.readAll();
      const wanted = scopes ? decodeSherpaScopes(scopes) : undefined;
      const out: vscode.AuthenticationSession[] = [];
      for (const stored of all) {
        if (wanted && !matches(stored, wanted)) continue;
        const fresh = await this.ensureFresh(stored);
        if (fresh) out.push(toVsSession(fresh));
      }
      return out;
    });
  }

  /**
   * Interactive sign-in (browser). The scope list must name the issuer (SHERPA_ISSUER:…). The broker's
   * open request for this scope list, if any, supplies the engine's Configuration (no second discovery of
   * the issuer, and under the issuer's own network policy) and receives the failure with its code.
   */
  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    const request = decodeSherpaScopes(scopes);
    if (!request.issuer) {
      throw new ExtensionError(
        'NO_SESSION',
        'Sherpa sign-in needs to know which authorization server to use',
        {
          hint: 'Use "Sherpa Lab: Connect Secure Server": it discovers the authorization server from the MCP server\'s metadata.',
        },
      );
    }
    const issuer = request.issuer;
    const clientId = request.clientId ?? this.defaults().clientId ?? VSCODE_CLIENT_ID;
    // openid + profile name the account; offline_access asks for a refresh token.
    const scopeList = [...new Set(['openid', 'profile', 'offline_access', ...request.scopes])];
    const timeoutMs = this.signInTimeoutMs();
    const claimed = this.signIns.claim(scopes);
    const discovery = claimed?.offer ?? {
      issuer,
      clientId,
      fetch: await policyFetch(request.resource ?? issuer),
    };
    const tokens = await vscode.window
      .withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Signing in to {0}', issuer),
          cancellable: true,
        },
        async (progress, cancel) => {
          const abort = new AbortController();
          cancel.onCancellationRequested(() => abort.abort());
          progress.report({
            message: this.browser?.isRemote
              ? vscode.l10n.t(
                  'waiting for the browser (authorization code + PKCE, at forwarded addresses; if the page does not work, Cancel and use Sign In with Device Code)…',
                )
              : vscode.l10n.t('waiting for the browser (authorization code + PKCE)…'),
          });
          this.log.info(
            `Sign-in: authorization code + PKCE at ${issuer}, client ${clientId}, scopes ${scopeList.join(' ')}`,
          );
          return loginWithAuthorizationCode({
            ...discovery,
            scopes: scopeList,
            ...(request.resource ? { resource: request.resource } : {}),
            // An interactive sign-in is the moment to choose the account (after Sign Out, say, to switch
            // from alice to bob): ask for the login form even when the browser has a session there
            // (OIDC Core §3.1.2.1), as VS Code's microsoft provider does with select_account.
            extraParameters: { prompt: 'login' },
            openBrowser: (url) => this.openBrowser(url),
            // A browser on another machine cannot reach 127.0.0.1:PORT/callback here: it gets the
            // receiver's forwarded address instead (the lab Sherpa started accepts it, RFC 8252 §7.3).
            ...(this.browser?.isRemote
              ? { forwardRedirectUri: (loopback: string) => this.browser!.forBrowser(loopback) }
              : {}),
            signal: abort.signal,
            ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          });
        },
      )
      .then(undefined, (err: unknown) => {
        const failure = this.browser?.isRemote ? withForwardedRedirectHint(err, this.browser) : err;
        if (failure instanceof SherpaError) claimed?.fail(failure);
        throw failure;
      });
    const stored = toStoredSession(tokens, {
      issuer,
      clientId,
      resource: request.resource,
      scopes: request.scopes,
    });
    await this.serialise(() => this.store.upsert(stored));
    this.log.info(`Signed in as ${stored.account.label} at ${issuer}`);
    const session = toVsSession(stored);
    this.changed.fire({ added: [session], removed: [], changed: [] });
    return session;
  }

  /** Sign-out: deletes the session (tokens included) from SecretStorage. */
  async removeSession(sessionId: string): Promise<void> {
    const removed = await this.serialise(() => this.store.remove(sessionId));
    if (removed) {
      this.log.info(`Signed out ${removed.account.label} at ${removed.issuer}`);
      this.changed.fire({ added: [], removed: [toVsSession(removed)], changed: [] });
    }
  }

  /** Removes every session (all issuers). */
  async removeAllSessions(): Promise<number> {
    const all = await this.serialise(() => this.store.readAll());
    for (const s of all) await this.removeSession(s.id);
    return all.length;
  }

  /** Removes the sessions obtained for one MCP server (their RFC 8707 resource is its URL). */
  async removeSessionsFor(resource: string): Promise<number> {
    const hits = (await this.serialise(() => this.store.readAll())).filter((s) => s.resource === resource);
    for (const s of hits) await this.removeSession(s.id);
    return hits.length;
  }

  /**
   * Marks the session that holds `accessToken` as expired because a resource server rejected it (401):
   * the next getSessions refreshes it silently, or drops it if it cannot.
   */
  async invalidateToken(accessToken: string): Promise<void> {
    await this.serialise(async () => {
      const all = await this.store.readAll();
      const hit = all.find((s) => s.accessToken === accessToken);
      if (hit) {
        hit.expiresAt = 0;
        await this.store.writeAll(all);
      }
    });
  }

  private async ensureFresh(stored: StoredSession): Promise<StoredSession | undefined> {
    const now = Math.floor(Date.now() / 1000);
    if (stored.expiresAt === undefined || stored.expiresAt - EXPIRY_MARGIN_SECONDS > now) return stored;
    if (stored.refreshToken) {
      try {
        this.log.info(`Refreshing the expired token of ${stored.account.label} at ${stored.issuer}`);
        // The issuer is reached under the policy of the server the session is for (its resource).
        const tokens = await refreshTokens(stored.refreshToken, {
          issuer: stored.issuer,
          clientId: stored.clientId,
          fetch: await policyFetch(stored.resource ?? stored.issuer),
          ...(stored.resource ? { resource: stored.resource } : {}),
        });
        const fresh = { ...toStoredSession(tokens, stored), id: stored.id };
        await this.store.upsert(fresh);
        this.changed.fire({ added: [], removed: [], changed: [toVsSession(fresh)] });
        return fresh;
      } catch (err) {
        this.log.error('Token refresh failed; the session is removed', err);
      }
    }
    await this.store.remove(stored.id);
    this.changed.fire({ added: [], removed: [toVsSession(stored)], changed: [] });
    return undefined;
  }

  private serialise<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** A guarded fetch with the network policy of `url` (the MCP server a session is for). */
async function policyFetch(url: string): Promise<client.CustomFetch> {
  // Behind http.proxy the proxy resolves names (and VS Code's fetch takes the proxy): judged by form only.
  return createGuardedFetch(
    await networkPolicyFor(url, { resolve: !proxyResolvesNames() }),
  ) as client.CustomFetch;
}

/**
 * A stored session serves a request only for the same issuer, the same resource and the same client —
 * exactly, absent values included — so a token obtained for one MCP server is never handed out for
 * another (the resource is the PRM `resource` Sherpa validated against the URL it called, RFC 9728 §3.3).
 */
function matches(stored: StoredSession, wanted: SherpaScopeRequest): boolean {
  if (!wanted.issuer || stored.issuer !== wanted.issuer) return false;
  if ((stored.resource ?? '') !== (wanted.resource ?? '')) return false;
  if (wanted.clientId !== undefined && stored.clientId !== wanted.clientId) return false;
  return wanted.scopes.every((s) => stored.scopes.includes(s));
}

function toStoredSession(
  tokens: TokenSet,
  o: { issuer: string; clientId: string; resource?: string; scopes: string[]; id?: string },
): StoredSession {
  return {
    id: o.id ?? randomUUID(),
    issuer: o.issuer,
    clientId: o.clientId,
    ...(o.resource ? { resource: o.resource } : {}),
    scopes: o.scopes,
    accessToken: tokens.accessToken,
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
    ...(tokens.idToken ? { idToken: tokens.idToken } : {}),
    ...(tokens.expiresAt !== undefined
      ? { expiresAt: tokens.expiresAt }
      : { expiresAt: expFromJwt(tokens.accessToken) }),
    account: accountFrom(tokens),
  };
}

// Who signed in: from the ID token if there is one, else the access token's own claims.
function accountFrom(tokens: TokenSet): { id: string; label: string } {
  for (const t of [tokens.idToken, tokens.accessToken]) {
    if (!t) continue;
    try {
      const { claims } = decodeToken(t);
      const id = String(claims.oid ?? claims.sub ?? '');
      const label = String(claims.preferred_username ?? claims.email ?? claims.name ?? claims.sub ?? '');
      if (id || label) return { id: id || label, label: label || id };
    } catch {
      // opaque token: try the next one
    }
  }
  return { id: 'unknown', label: 'signed-in user' };
}

function expFromJwt(token: string): number | undefined {
  try {
    const { claims } = decodeToken(token);
    return typeof claims.exp === 'number' ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

function toVsSession(s: StoredSession): vscode.AuthenticationSession {
  return {
    id: s.id,
    accessToken: s.accessToken,
    ...(s.idToken ? { idToken: s.idToken } : {}),
    account: s.account,
    scopes: encodeSherpaScopes({
      issuer: s.issuer,
      resource: s.resource,
      clientId: s.clientId,
      scopes: s.scopes,
    }),
  };
}

/**
 * An authorization request refused outright while the browser counts as remote: the redirect URI sent was
 * VS Code's forwarded address of the loopback receiver, which only the lab Sherpa started is told about
 * (browser-addresses.ts). Any other authorization server that knows a client's loopback redirect URIs only
 * (RFC 8252 §7.3) — a `sherpa lab` run in a terminal, a server where the person pre-registered a client —
 * refuses it (issue 17: seen in code-server against an outsider server trusting such a lab). The hint names
 * the way out instead of only the client id.
 */
function withForwardedRedirectHint(err: unknown, browser: BrowserAddresses): unknown {
  if (!(err instanceof SherpaError) || err.code !== 'AUTHORIZATION_DENIED') return err;
  if (err.details?.step !== 'authorization-request') return err;
  const forwarded = vscode.l10n.t(
    'The redirect URI sent was VS Code\'s forwarded address of Sherpa\'s loopback receiver ({0}), which only the lab Sherpa started learns. If your browser runs on this machine, set sherpa.signIn.browser to "sameMachine"; otherwise this authorization server must accept the forwarded address as a redirect URI.',
    browser.describe(),
  );
  return new SherpaError(err.code, err.message, {
    hint: err.hint ? `${err.hint} ${forwarded}` : forwarded,
    cause: err,
    ...(err.details ? { details: err.details } : {}),
  });
}
