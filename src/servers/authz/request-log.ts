/**
 * One log line per client request the lab accepted — registration, authorization request, token request —
 * naming what the client ASKED FOR (client id, redirect URI, `resource`, scopes, grant type), never a code,
 * a token or a secret. This is how a person sees what their MCP client actually does on the wire (DCR or a
 * pre-registered id? `localhost` or `127.0.0.1`? `resource` sent? `offline_access`? refresh?), and how the
 * interop tests measure clients nobody here wrote (test/interop/client-behaviour.json).
 */
import type Provider from 'oidc-provider';
import type { Logger } from '../shared/log';

/** A request parameter as a bounded string (a client may send anything), or undefined when absent. */
function param(params: Record<string, unknown> | undefined, name: string): string | undefined {
  const v = params?.[name];
  if (v === undefined || v === null) return undefined;
  return (Array.isArray(v) ? v.join(' ') : String(v)).slice(0, 512);
}

const drop = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The named request parameters that are present, in that order. */
const params = (p: Record<string, unknown> | undefined, names: string[]) =>
  drop(Object.fromEntries(names.map((n) => [n, param(p, n)])));

type EventContext = { oidc?: { params?: Record<string, unknown>; client?: { clientId?: string } } };

/**
 * Subscribes to oidc-provider's success events: `registration_create.success` (RFC 7591 §3.2.1),
 * `authorization.accepted` (RFC 6749 §4.1.1, RFC 8707 §2) and `grant.success` (RFC 6749 §4.1.3 / §6).
 */
export function logClientRequests(provider: Provider, log: Logger): void {
  provider.on(
    'registration_create.success',
    (_ctx: unknown, client: { metadata(): Record<string, unknown> }) => {
      const m = client.metadata();
      log.info(
        'client registered',
        drop({
          client_id: m.client_id,
          application_type: m.application_type,
          redirect_uris: m.redirect_uris,
          grant_types: m.grant_types,
          token_endpoint_auth_method: m.token_endpoint_auth_method,
          scope: m.scope,
        }),
      );
    },
  );
  provider.on('authorization.accepted', (ctx: EventContext) => {
    const p = ctx.oidc?.params;
    log.info(
      'authorization request',
      params(p, [
        'client_id',
        'redirect_uri',
        'response_mode',
        'scope',
        'resource',
        'prompt',
        'code_challenge_method',
      ]),
    );
  });
  provider.on('grant.success', (ctx: EventContext) => {
    const p = ctx.oidc?.params;
    log.info(
      'token request',
      drop({
        grant_type: param(p, 'grant_type'),
        client_id: ctx.oidc?.client?.clientId,
        redirect_uri: param(p, 'redirect_uri'),
        scope: param(p, 'scope'),
        resource: param(p, 'resource'),
      }),
    );
  });
}
