/**
 * Client ID Metadata Documents and SSRF (MCP authorization §Client ID Metadata Documents; draft-ietf-
 * oauth-client-id-metadata-document §6): an authorization server that fetches whatever URL a client_id
 * names can be made to reach its own loopback and private network. Part of the opt-in registration
 * probes (--probe-registration), run from checks-registration.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { isSherpaError } from '../errors';
import { createGuardedFetch } from '../net/guarded-fetch';
import { record, type AuditContext } from './context';

/**
 * Client ID Metadata Documents (SSRF): /authorize with a client_id URL on 127.0.0.1, where the audit
 * counts TCP connections on a listener that answers nothing. A server on this machine that fetches it
 * is seen connecting (fail). A server elsewhere would reach ITS own loopback, which the audit cannot
 * see, so then only its answer is reported (warn when it did not say why it refused). Nothing is served.
 */
export async function probeCimdFetch(ctx: AuditContext): Promise<void> {
  const meta = ctx.as?.metadata;
  if (meta?.client_id_metadata_document_supported !== true || !meta.authorization_endpoint) {
    record(ctx, 'cimdPrivateFetch', {
      status: 'skip',
      detail: meta ? 'Client ID Metadata Documents are not advertised' : 'no authorization server metadata',
    });
    return;
  }
  const sockets: Socket[] = [];
  const listener = createServer((socket) => {
    sockets.push(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  const clientId = `https://127.0.0.1:${port}/sherpa-audit-client.json`;
  const url = new URL(meta.authorization_endpoint);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: `http://127.0.0.1:${port}/callback`,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(k, v);
  const request = `GET authorization_endpoint (client_id ${clientId}: a metadata URL on a private address)`;
  const doFetch = createGuardedFetch(ctx.policy, { maxRedirects: 5, timeoutMs: ctx.timeoutMs });
  let status: number | 'error';
  let note: string;
  try {
    const res = await doFetch(url.href);
    status = res.status;
    const body = await res.text();
    ctx.bodies.push(body);
    note = body
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 160);
  } catch (err) {
    const details = isSherpaError(err, 'UNSAFE_REDIRECT') ? err.details : undefined;
    status = Number(details?.status) || 'error';
    note =
      typeof details?.to === 'string'
        ? `redirected to ${new URL(details.to).origin}`
        : (err as Error).message;
  } finally {
    // A fetch the server started in the background gets a moment to arrive.
    await new Promise((r) => setTimeout(r, 200));
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(meta.authorization_endpoint).hostname);
  record(ctx, 'cimdPrivateFetch', {
    status: sockets.length
      ? 'fail'
      : local || (typeof status === 'number' && status >= 400 && status < 500)
        ? 'pass'
        : 'warn',
    detail: sockets.length
      ? `SSRF: the authorization server connected to ${clientId} (${sockets.length} connection(s)) to fetch a client metadata document from a private address`
      : local
        ? `not fetched (the server is on this machine; no connection arrived), answered HTTP ${status}`
        : typeof status === 'number' && status >= 400 && status < 500
          ? `refused (HTTP ${status}); the server is not on this machine, so a fetch of its own loopback could not be observed`
          : `answered ${status}; the server is not on this machine, so whether it fetched its own 127.0.0.1:${port} cannot be observed`,
    evidence: [{ request, status, note }],
  });
}
