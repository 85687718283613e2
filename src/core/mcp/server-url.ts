/**
 * The URL of an MCP endpoint a person typed ("Connect to MCP Server…", `sherpa connect <url>`): checked
 * before anything is sent to it, so a typo or a plain-http address ends in a clear error, not a request.
 */
import { SherpaError } from '../errors';
import { isSecureOrLoopback, normalizeUrl } from '../url';
import { toTerminalLine } from '../untrusted-text';

/**
 * Parses `input` as an MCP Streamable HTTP endpoint URL (MCP 2025-06-18 "Transports"): http(s) only;
 * https, or plain http to loopback only (OAuth 2.1 §1.5: tokens travel over TLS); no userinfo (a
 * credential in a URL lands in logs and histories); the fragment dropped (RFC 8707 §2 resource form).
 * Throws BAD_ARGUMENT / INSECURE_TRANSPORT with a hint; returns the normalised URL.
 */
export function parseServerUrl(input: string): URL {
  const raw = input.trim();
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new SherpaError('BAD_ARGUMENT', `"${toTerminalLine(raw, 200)}" is not an absolute URL`, {
      hint: 'Enter the MCP endpoint, e.g. https://mcp.example.com/mcp',
    });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new SherpaError('BAD_ARGUMENT', `${u.protocol} is not an MCP transport`, {
      hint: 'MCP over HTTP uses an https:// URL (http:// only for a server on this machine).',
    });
  }
  if (u.username || u.password) {
    throw new SherpaError('BAD_ARGUMENT', 'The URL carries a user name or password', {
      hint: 'Remove the credentials from the URL: Sherpa signs in with OAuth instead.',
    });
  }
  if (!isSecureOrLoopback(u)) {
    throw new SherpaError('INSECURE_TRANSPORT', `Refusing plain http to ${toTerminalLine(u.host, 200)}`, {
      hint: 'Use https: only a server on loopback (127.0.0.1, localhost) may use plain http.',
    });
  }
  return new URL(normalizeUrl(u));
}
