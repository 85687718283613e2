import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { SherpaError } from '../../core/errors';
import { decodeToken } from '../../core/token/token-inspection';
import { defaultLabTarget } from '../lab-target';
import { print, printDecoded } from '../output';

export const decodeUsage = `sherpa decode <jwt|-> [--audience A]... [--issuer I]... [--scope S] [--tenant T]... [--lab] [--json]
  Decodes a JWT (no verification: an inspector) and checks it against what you expect. '-' reads stdin.
  --lab expects the local lab's audience, issuer, scope and tenant.`;

export async function runDecodeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      audience: { type: 'string', multiple: true },
      issuer: { type: 'string', multiple: true },
      scope: { type: 'string' },
      tenant: { type: 'string', multiple: true },
      lab: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const input = positionals[0];
  if (!input)
    throw new SherpaError('BAD_ARGUMENT', 'Give a JWT or - to read one from stdin', { hint: decodeUsage });
  const token = (input === '-' ? await text(process.stdin) : input).trim();
  const decoded = decodeToken(token);
  if (values.json) {
    print(JSON.stringify(decoded));
    return 0;
  }
  const lab = values.lab ? defaultLabTarget() : undefined;
  printDecoded(decoded, {
    ...(values.audience
      ? { audiences: values.audience }
      : lab
        ? { audiences: [lab.clientId, `api://${lab.clientId}`] }
        : {}),
    ...(values.issuer ? { issuers: values.issuer } : lab ? { issuers: [lab.issuer] } : {}),
    ...(values.scope ? { requiredScope: values.scope } : lab ? { requiredScope: 'access_as_user' } : {}),
    ...(values.tenant ? { tenants: values.tenant } : lab ? { tenants: [lab.tenantId] } : {}),
  });
  return 0;
}
