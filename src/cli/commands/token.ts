import { parseArgs } from 'node:util';
import { decodeToken } from '../../core/token/token-inspection';
import { REQUIRED_SCOPE, VSCODE_CLIENT_ID } from '../../core/well-known-ids';
import { defaultLabTarget } from '../lab-target';
import { loginFromCli } from '../lab-token';
import { print, printDecoded } from '../output';

export const tokenUsage = `sherpa token [--user alice|bob] [--issuer URL] [--client-id ID] [--scope S]... [--resource URI] [--json]
  Real authorization code + PKCE sign-in (default: the local lab, as the VS Code client). Prints the access
  token on stdout (--json: the whole token set). --user signs in without a browser (loopback issuers only).`;

export async function runTokenCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      scope: { type: 'string', multiple: true },
      resource: { type: 'string' },
      json: { type: 'boolean', default: false },
      decode: { type: 'boolean', default: false },
    },
  });
  const lab = defaultLabTarget();
  const tokens = await loginFromCli({
    issuer: values.issuer ?? lab.issuer,
    clientId: values['client-id'] ?? VSCODE_CLIENT_ID,
    // Default: the lab API's scope by App ID URI, as a client talking to Entra would ask for it.
    scopes: values.scope?.length
      ? values.scope.flatMap((s) => s.split(' '))
      : [`api://${lab.clientId}/${REQUIRED_SCOPE}`],
    ...(values.resource ? { resource: values.resource } : {}),
    ...(values.user ? { user: values.user } : {}),
  });
  // The one place a token goes to stdout: the person asked for it.
  if (values.json) print(JSON.stringify(tokens));
  else print(tokens.accessToken);
  if (values.decode) printDecoded(decodeToken(tokens.accessToken));
  return 0;
}
