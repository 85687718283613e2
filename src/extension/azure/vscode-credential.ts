/**
 * A TokenCredential over VS Code's built-in `microsoft` authentication provider, so the Azure SDK clients
 * use the account the user already signed in to VS Code with — no secret is stored by Sherpa; the
 * provider keeps its tokens in VS Code's secret storage. `VSCODE_TENANT:<id>` picks the tenant.
 */
import * as vscode from 'vscode';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { ExtensionError } from '../errors';

export class VsCodeMicrosoftCredential implements TokenCredential {
  constructor(
    private readonly tenant: () => string | undefined,
    private readonly interactive: () => boolean = () => true,
  ) {}

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
    const list = Array.isArray(scopes) ? scopes : [scopes];
    const tenant = this.tenant();
    let session: vscode.AuthenticationSession | undefined;
    try {
      session = await vscode.authentication.getSession(
        'microsoft',
        [...list, ...(tenant ? [`VSCODE_TENANT:${tenant}`] : [])],
        this.interactive()
          ? {
              createIfNone: {
                detail:
                  'Sherpa uses your Azure account to list your subscriptions and to read or change the Sherpa deployment in the one you pick.',
              },
            }
          : { silent: true },
      );
    } catch (err) {
      // Cancel on VS Code's "wants to sign in" modal or its browser sign-in: the person said no, nothing
      // failed (azure-failure.ts ends the command quietly).
      if (err instanceof vscode.CancellationError || /did not consent|cancel/i.test(String(err))) {
        throw new ExtensionError('SIGN_IN_CANCELLED', 'The Azure sign-in was cancelled', { cause: err });
      }
      throw err;
    }
    if (!session) {
      throw new ExtensionError('NO_SESSION', 'Not signed in to Azure in VS Code', {
        hint: 'Run "Sherpa Azure: Sign In to Azure".',
      });
    }
    // The session does not say when the token expires; the token does (it is a JWT for Azure resources).
    let exp = Date.now() + 5 * 60_000;
    try {
      const claims = decodeJwt(session.accessToken);
      if (typeof claims.exp === 'number') exp = claims.exp * 1000;
    } catch {
      // opaque token: assume a short life so it is asked for again soon
    }
    return { token: session.accessToken, expiresOnTimestamp: exp };
  }
}
