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
 * before signing in again with the extra scope (step-up, RFC 6750 §3.1). The decisions are
 * token-request-plan.ts; this file is the part that talks to VS Code.
 */
import * as vscode from 'vscode';
import type { TokenRequest } from '../../core/client/grant-strategy';
import type { TrustedApiIdentifiers } from '../../core/client/trusted-apis';
import { toEntraError } from '../../core/aadsts-explanations';
import { redirectPortOf } from '../../core/grants/strategies';
import { toNotificationText } from '../../core/untrusted-text';
import { decodeToken } from '../../core/token/token-inspection';
import type { TokenSet } from '../../core/token/token-set';
import { SHERPA_AUTH_PROVIDER_ID, type SherpaAuthProvider } from '../auth/sherpa-auth-provider';
import type { SignInRequests } from '../auth/sign-in-requests';
import { ExtensionError } from '../errors';
import type { SherpaLog } from '../output-log';
import { confirmStepUpIfNeeded, planTokenRequest, type ConfirmStepUp } from './token-request-plan';

export type { ConfirmStepUp } from './token-request-plan';

export interface BrokeredToken extends TokenSet {
  providerId: string;
  sessionId: string;
}

/** How a `sherpa-oauth` session is obtained; {@link vscodeSessionSource} unless told otherwise. */
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

/**
 * Sherpa's provider called directly (getSessions, then createSession), skipping VS Code's consent modal.
 * Only for a host that refuses every dialog: an extension test host ("refused to show dialog in tests",
 * because extensionTestsLocationURI is set), where `getSession({ createIfNone })` can never get past the
 * modal. The extension suite first proves the production path reaches that modal; the e2e test clicks
 * its Allow button as a person would. Chosen through the test hooks (test-hooks.ts), never in production.
 */
export function providerSessionSource(provider: SherpaAuthProvider): SherpaSessionSource {
  return {
    name: 'the sherpa-oauth provider directly (extension-test seam)',
    getSilently: async (scopes) => (await provider.getSessions(scopes))[0],
    getOrCreate: async (scopes) => provider.createSession(scopes),
  };
}

/** Default step-up consent: a modal naming the scope the 403 asked for. */
export const askStepUp: ConfirmStepUp = async (scopes) => {
  const yes = vscode.l10n.t('Sign in again');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'The server needs more permission: {0}. Sign in again and ask for it?',
      toNotificationText(scopes.join(' ')),
    ),
    {
      modal: true,
      detail: vscode.l10n.t('This is step-up authorization: the 403 response named the scope it requires.'),
    },
    yes,
  );
  return answer === yes;
};

export interface TokenBrokerOptions {
  authProvider: SherpaAuthProvider;
  /** The channel to the provider's createSession (auth/sign-in-requests.ts); the provider's own. */
  signIns: SignInRequests;
  log: SherpaLog;
  settings: () => { clientId: string; tenant?: string; trustedApis?: TrustedApiIdentifiers };
  /** Where `sherpa-oauth` sessions come from; default {@link vscodeSessionSource}. */
  sessions?: SherpaSessionSource;
  /** Step-up consent; default {@link askStepUp}. */
  confirmStepUp?: ConfirmStepUp;
}

export class TokenBroker {
  private readonly sessions: SherpaSessionSource;
  private readonly confirmStepUp: ConfirmStepUp;

  constructor(private readonly o: TokenBrokerOptions) {
    this.sessions = o.sessions ?? vscodeSessionSource;
    this.confirmStepUp = o.confirmStepUp ?? askStepUp;
  }

  /** The extension's grant strategy for core's engine (core/client/grant-strategy.ts). */
  async getToken(request: TokenRequest): Promise<BrokeredToken> {
    await confirmStepUpIfNeeded(request, this.confirmStepUp);
    // The client the engine chose for this issuer: pre-registered only where registered, else CIMD or DCR.
    const clientId = request.client.clientId;
    const { tenant, trustedApis } = this.o.settings();
    const plan = planTokenRequest(request, {
      clientId,
      ...(trustedApis ? { trustedApis } : {}),
      ...(tenant ? { tenant } : {}),
    });
    let token: BrokeredToken;
    if (plan.provider === 'microsoft') {
      this.o.log.info(
        `Getting a token from the microsoft provider: ${plan.scopes.join(' ')} (no resource parameter: AADSTS9010010)`,
      );
      try {
        const session = plan.forceNew
          ? await vscode.authentication.getSession('microsoft', plan.scopes, {
              forceNewSession: { detail: 'The MCP server rejected the previous token.' },
            })
          : await vscode.authentication.getSession('microsoft', plan.scopes, { createIfNone: true });
        token = toBrokered(session, 'microsoft');
      } catch (err) {
        // The provider passes Entra's error_description on in its message: say what it means for this
        // PRM/scope pair and how to fix the app registration (core/aadsts-explanations.ts).
        throw (
          toEntraError(err, {
            resource: request.resource,
            scopes: request.scopes,
            clientId,
            tenant: plan.tenant,
          }) ?? err
        );
      }
    } else {
      token = await this.getSherpaToken(plan.scopes, plan.rejected, request);
    }
    return token;
  }

  private async getSherpaToken(
    scopes: string[],
    rejected: string | undefined,
    request: TokenRequest,
  ): Promise<BrokeredToken> {
    // A 401 for our token: mark it expired so the provider refreshes it on the next lookup (RFC 6749 §6).
    if (rejected) await this.o.authProvider.invalidateToken(rejected);
    const existing = await this.sessions.getSilently(scopes);
    if (existing && existing.accessToken !== rejected) {
      this.o.log.info(
        `Reusing the ${SHERPA_AUTH_PROVIDER_ID} session of ${existing.account.label} silently (${this.sessions.name})`,
      );
      return toBrokered(existing, SHERPA_AUTH_PROVIDER_ID);
    }
    this.o.log.info(`Asking for a ${SHERPA_AUTH_PROVIDER_ID} session through ${this.sessions.name}`);
    // The provider signs in with the engine's view of the issuer, not a second discovery of its own; the
    // request lives until getSession settles and brings back the provider's failure with its code.
    const signIn = this.o.signIns.begin(scopes, { config: request.config, ...redirectPortOf(request) });
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
          hint: 'Connect the server again and choose Allow to sign in.',
        });
      }
      // The provider's own error, code included, when VS Code passed it on as a plain Error.
      const own = signIn.failure();
      const failure = own && err instanceof Error && err.message.includes(own.message) ? own : err;
      // The lab's strict mode (and an Entra-like server) answers with AADSTS codes: explain them too.
      const clientId = request.client.clientId;
      throw (
        toEntraError(failure, { resource: request.resource, scopes: request.scopes, clientId }) ?? failure
      );
    } finally {
      signIn.end();
    }
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
