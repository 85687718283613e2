/**
 * Gets the access token the connect flow asks for, through VS Code's authentication API:
 *  - Entra ID (`login.microsoftonline.com`): the built-in `microsoft` provider with the pseudo-scopes
 *    `VSCODE_CLIENT_ID:` / `VSCODE_TENANT:` and the API scope only — no RFC 8707 `resource`, because
 *    Entra rejects one that differs from the scope's App ID URI (AADSTS9010010);
 *  - any other authorization server: Sherpa's own provider (`sherpa-oauth`), also through
 *    `vscode.authentication.getSession`: silently first (a session Sherpa was already allowed to use is
 *    reused without a prompt), then with `createIfNone`, so the person sees VS Code's "wants to sign in"
 *    modal and the Accounts menu records that Sherpa uses the account (and offers Sign Out there).
 * A 401 with a token triggers one silent re-auth (refresh); a 403 insufficient_scope asks the person
 * before signing in again with the extra scope (step-up, RFC 6750 §3.1).
 */
import * as vscode from 'vscode';
import type { TokenRequest } from '../../core/client/grant-strategy';
import { isEntraIssuer, tenantFromIssuer } from '../../core/entra';
import { toEntraError } from '../../core/aadsts-explanations';
import { SherpaError } from '../../core/errors';
import { toNotificationText } from '../../core/untrusted-text';
import { decodeToken } from '../../core/token/token-inspection';
import type { TokenSet } from '../../core/token/token-set';
import { encodeSherpaScopes } from '../auth/scope-encoding';
import { SHERPA_AUTH_PROVIDER_ID, type SherpaAuthProvider } from '../auth/sherpa-auth-provider';
import { ExtensionError } from '../errors';
import type { SherpaLog } from '../output-log';

export interface BrokeredToken extends TokenSet {
  providerId: string;
  sessionId: string;
}

export type ConfirmStepUp = (scopes: string[]) => Promise<boolean>;

/** How a `sherpa-oauth` session is obtained; {@link vscodeSessionSource} everywhere but the extension tests. */
export interface SherpaSessionSource {
  readonly name: string;
  /** An existing session the extension may use, without any UI; undefined if there is none. */
  getSilently(scopes: readonly string[]): Promise<vscode.AuthenticationSession | undefined>;
  /** Interactive: VS Code's consent modal, then the provider's createSession (browser sign-in). */
  getOrCreate(
    scopes: readonly string[],
    o: { forceNew: boolean; detail: string },
  ): Promise<vscode.AuthenticationSession>;
}

/** Production: VS Code's authentication API, exactly what a person goes through. */
export const vscodeSessionSource: SherpaSessionSource = {
  name: 'vscode.authentication.getSession',
  getSilently: async (scopes) =>
    vscode.authentication.getSession(SHERPA_AUTH_PROVIDER_ID, scopes, { silent: true }),
  getOrCreate: async (scopes, o) =>
    o.forceNew
      ? vscode.authentication.getSession(SHERPA_AUTH_PROVIDER_ID, scopes, {
          forceNewSession: { detail: o.detail },
        })
      : vscode.authentication.getSession(SHERPA_AUTH_PROVIDER_ID, scopes, {
          createIfNone: { detail: o.detail },
        }),
};

export class TokenBroker {
  private lastToken: string | undefined;
  private sessions: SherpaSessionSource = vscodeSessionSource;
  /** Replaceable for tests; default: a modal asking the person. */
  confirmStepUp: ConfirmStepUp = async (scopes) => {
    const yes = 'Sign in again';
    const answer = await vscode.window.showWarningMessage(
      `The server needs more permission: ${toNotificationText(scopes.join(' '))}. Sign in again and ask for it?`,
      { modal: true, detail: 'This is step-up authorization: the 403 response named the scope it requires.' },
      yes,
    );
    return answer === yes;
  };

  constructor(
    private readonly authProvider: SherpaAuthProvider,
    private readonly log: SherpaLog,
    private readonly settings: () => { clientId: string; tenant?: string },
  ) {}

  /** The extension's grant strategy for core's engine (core/client/grant-strategy.ts). */
  async getToken(request: TokenRequest): Promise<BrokeredToken> {
    if (request.reason === 'step-up' && !(await this.confirmStepUp(request.scopes))) {
      throw new ExtensionError('SIGN_IN_CANCELLED', 'Step-up sign-in was declined', {
        hint: 'The tool needs the extra scope; run it again and accept the sign-in to continue.',
      });
    }
    const token = isEntraIssuer(request.issuer)
      ? await this.getEntraToken(request)
      : await this.getSherpaToken(request);
    this.lastToken = token.accessToken;
    return token;
  }

  private async getEntraToken(request: TokenRequest): Promise<BrokeredToken> {
    const { clientId, tenant } = this.settings();
    // The microsoft provider reads VSCODE_* entries as instructions (which client, which tenant): only
    // Sherpa may write them. Core's scope policy already refuses them from servers; this is the last gate.
    const smuggled = request.scopes.find((s) => /^vscode_/i.test(s));
    if (smuggled) {
      throw new SherpaError(
        'UNTRUSTED_SCOPE',
        `Refusing the server-chosen scope "${smuggled.slice(0, 100)}"`,
        {
          hint: 'A server cannot pick the client id or tenant of the token it will receive.',
        },
      );
    }
    const tenantUsed = tenant ?? tenantFromIssuer(request.issuer) ?? 'organizations';
    const scopes = [`VSCODE_CLIENT_ID:${clientId}`, `VSCODE_TENANT:${tenantUsed}`, ...request.scopes];
    this.log.info(
      `Getting a token from the microsoft provider: ${scopes.join(' ')} (no resource parameter: AADSTS9010010)`,
    );
    try {
      const session =
        request.reason === 'initial'
          ? await vscode.authentication.getSession('microsoft', scopes, { createIfNone: true })
          : await vscode.authentication.getSession('microsoft', scopes, {
              forceNewSession: { detail: 'The MCP server rejected the previous token.' },
            });
      return toBrokered(session, 'microsoft');
    } catch (err) {
      // The provider passes Entra's error_description on in its message: say what it means for this
      // PRM/scope pair and how to fix the app registration (core/aadsts-explanations.ts).
      throw (
        toEntraError(err, {
          resource: request.resource,
          scopes: request.scopes,
          clientId,
          tenant: tenantUsed,
        }) ?? err
      );
    }
  }

  private async getSherpaToken(request: TokenRequest): Promise<BrokeredToken> {
    const { clientId } = this.settings();
    const scopes = encodeSherpaScopes({
      issuer: request.issuer,
      resource: request.resource,
      clientId,
      scopes: request.scopes,
    });
    const rejected = request.reason === 'retry' ? this.lastToken : undefined;
    // A 401 for our token: mark it expired so the provider refreshes it on the next lookup (RFC 6749 §6).
    if (rejected) await this.authProvider.invalidateToken(rejected);
    const existing = await this.sessions.getSilently(scopes);
    if (existing && existing.accessToken !== rejected) {
      this.log.info(
        `Reusing the ${SHERPA_AUTH_PROVIDER_ID} session of ${existing.account.label} silently (${this.sessions.name})`,
      );
      return toBrokered(existing, SHERPA_AUTH_PROVIDER_ID);
    }
    this.log.info(`Asking for a ${SHERPA_AUTH_PROVIDER_ID} session through ${this.sessions.name}`);
    try {
      const session = await this.sessions.getOrCreate(scopes, {
        forceNew: existing !== undefined,
        detail:
          existing !== undefined
            ? 'The MCP server rejected the previous token.'
            : `Sign in at ${request.issuer} for ${request.resource ?? 'the MCP server'} (authorization code + PKCE).`,
      });
      return toBrokered(session, SHERPA_AUTH_PROVIDER_ID);
    } catch (err) {
      // VS Code's wording when the person presses Cancel on its consent modal.
      if (err instanceof Error && /did not consent/i.test(err.message)) {
        throw new ExtensionError('SIGN_IN_CANCELLED', 'Sign-in was cancelled', {
          cause: err,
          hint: 'Run "Sherpa: Connect Secure Server" again and choose Allow to sign in.',
        });
      }
      // The provider's own error, code included, when VS Code passed it on as a plain Error.
      const own = this.authProvider.takeLastFailure();
      const failure = own && err instanceof Error && err.message.includes(own.message) ? own : err;
      // The lab's strict mode (and an Entra-like server) answers with AADSTS codes: explain them too.
      throw (
        toEntraError(failure, { resource: request.resource, scopes: request.scopes, clientId }) ?? failure
      );
    }
  }

  /**
   * TEST-ONLY SEAM, used by test/vscode/suite and nothing else. In an extension test host VS Code's
   * DialogService refuses every dialog ("refused to show dialog in tests", because extensionTestsLocationURI
   * is set), so `getSession({ createIfNone })` can never get past the consent modal there. This makes the
   * broker call Sherpa's provider directly (getSessions, then createSession). The suite first proves the
   * production path reaches that modal; the e2e test (test/e2e) clicks its Allow button as a person would.
   */
  callProviderDirectlyForExtensionTests(): void {
    const provider = this.authProvider;
    this.sessions = {
      name: 'the sherpa-oauth provider directly (extension-test seam)',
      getSilently: async (scopes) => (await provider.getSessions(scopes))[0],
      getOrCreate: async (scopes) => provider.createSession(scopes),
    };
  }
}

function toBrokered(session: vscode.AuthenticationSession, providerId: string): BrokeredToken {
  let expiresAt: number | undefined;
  try {
    const exp = decodeToken(session.accessToken).claims.exp;
    if (typeof exp === 'number') expiresAt = exp;
  } catch {
    // opaque token: no expiry known
  }
  return {
    accessToken: session.accessToken,
    tokenType: 'bearer',
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    providerId,
    sessionId: session.id,
  };
}
