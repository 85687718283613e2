/**
 * Gets the access token the connect flow asks for, through VS Code's authentication API:
 *  - Entra ID (`login.microsoftonline.com`): the built-in `microsoft` provider with the pseudo-scopes
 *    `VSCODE_CLIENT_ID:` / `VSCODE_TENANT:` and the API scope only — no RFC 8707 `resource`, because
 *    Entra rejects one that differs from the scope's App ID URI (AADSTS9010010);
 *  - any other authorization server: Sherpa's own provider (`sherpa-oauth`), called directly — VS Code's
 *    "extension wants to sign in" modal would only ask whether Sherpa may use Sherpa.
 * A 401 with a token triggers one silent re-auth (refresh); a 403 insufficient_scope asks the person
 * before signing in again with the extra scope (step-up, RFC 6750 §3.1).
 */
import * as vscode from 'vscode';
import type { TokenRequest } from '../../core/connect-flow';
import { decodeToken } from '../../core/token-inspection';
import type { TokenSet } from '../../core/token-set';
import { encodeSherpaScopes } from '../auth/scope-encoding';
import { SHERPA_AUTH_PROVIDER_ID, type SherpaAuthProvider } from '../auth/sherpa-auth-provider';
import { ExtensionError } from '../errors';
import type { SherpaLog } from '../output-log';

export interface BrokeredToken extends TokenSet {
  providerId: string;
  sessionId: string;
}

export type ConfirmStepUp = (scopes: string[]) => Promise<boolean>;

/** True for Entra ID issuers (public cloud). */
export function isEntraIssuer(issuer: string): boolean {
  try {
    return new URL(issuer).hostname.toLowerCase() === 'login.microsoftonline.com';
  } catch {
    return false;
  }
}

/** The tenant segment of an Entra issuer `https://login.microsoftonline.com/{tenant}/v2.0`. */
export function tenantFromIssuer(issuer: string): string | undefined {
  try {
    return new URL(issuer).pathname.split('/').filter(Boolean)[0];
  } catch {
    return undefined;
  }
}

export class TokenBroker {
  private lastToken: string | undefined;
  /** Replaceable for tests; default: a modal asking the person. */
  confirmStepUp: ConfirmStepUp = async (scopes) => {
    const yes = 'Sign in again';
    const answer = await vscode.window.showWarningMessage(
      `The server needs more permission: ${scopes.join(' ')}. Sign in again and ask for it?`,
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

  /** Implements core's `getToken` callback for runConnectFlow. */
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
    const scopes = [
      `VSCODE_CLIENT_ID:${clientId}`,
      `VSCODE_TENANT:${tenant ?? tenantFromIssuer(request.issuer) ?? 'organizations'}`,
      ...request.scopes,
    ];
    this.log.info(
      `Getting a token from the microsoft provider: ${scopes.join(' ')} (no resource parameter: AADSTS9010010)`,
    );
    const session =
      request.reason === 'initial'
        ? await vscode.authentication.getSession('microsoft', scopes, { createIfNone: true })
        : await vscode.authentication.getSession('microsoft', scopes, {
            forceNewSession: { detail: 'The MCP server rejected the previous token.' },
          });
    return toBrokered(session, 'microsoft');
  }

  private async getSherpaToken(request: TokenRequest): Promise<BrokeredToken> {
    const { clientId } = this.settings();
    const scopes = encodeSherpaScopes({
      issuer: request.issuer,
      resource: request.resource,
      clientId,
      scopes: request.scopes,
    });
    if (request.reason === 'retry' && this.lastToken) await this.authProvider.invalidateToken(this.lastToken);
    const existing = (await this.authProvider.getSessions(scopes))[0];
    if (existing && existing.accessToken !== (request.reason === 'retry' ? this.lastToken : undefined)) {
      this.log.info(`Using the existing ${SHERPA_AUTH_PROVIDER_ID} session of ${existing.account.label}`);
      return toBrokered(existing, SHERPA_AUTH_PROVIDER_ID);
    }
    return toBrokered(await this.authProvider.createSession(scopes), SHERPA_AUTH_PROVIDER_ID);
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
