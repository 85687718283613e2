/**
 * Waypoint 6, "Validate security", against the two servers: probes that an attacker would try first.
 * Each probe is a real request; a finding is "fail" when the server accepts what it should refuse.
 */
import { connectMcp } from '../../core/mcp-connect';
import { discoverProtectedResource } from '../../core/protected-resource';
import { isSherpaError } from '../../core/errors';
import type { ServerEndpoints } from '../endpoints';

export interface ValidationFinding {
  id: string;
  label: string;
  status: 'pass' | 'fail';
  detail: string;
}

/** Runs the probes (see the module comment) and returns one finding per probe. */
export async function validateSecurity(
  endpoints: ServerEndpoints,
  staticToken: string,
): Promise<ValidationFinding[]> {
  const findings: ValidationFinding[] = [];
  const probe = async (url: string, accessToken?: string) => {
    try {
      const s = await connectMcp(url, { ...(accessToken ? { accessToken } : {}), timeoutMs: 5000 });
      await s.close();
      return { accepted: true, code: 'accepted' };
    } catch (err) {
      if (isSherpaError(err, 'SERVER_UNREACHABLE')) throw err;
      return { accepted: false, code: isSherpaError(err) ? err.code : 'error' };
    }
  };

  const vNone = await probe(endpoints.vulnerableUrl);
  findings.push({
    id: 'vulnerable-no-token',
    label: 'Vulnerable server refuses anonymous calls',
    status: vNone.accepted ? 'fail' : 'pass',
    detail: vNone.accepted ? 'accepted a call with no token at all' : `refused (${vNone.code})`,
  });
  const vStatic = await probe(endpoints.vulnerableUrl, staticToken);
  findings.push({
    id: 'vulnerable-static-token',
    label: 'Vulnerable server refuses a leaked static token',
    status: vStatic.accepted ? 'fail' : 'pass',
    detail: vStatic.accepted
      ? 'ACCEPTED the static token: anyone who reads it is in, forever (MCP01)'
      : `refused (${vStatic.code})`,
  });
  const sNone = await probe(endpoints.secureUrl);
  findings.push({
    id: 'secure-no-token',
    label: 'Secure server answers 401 without a token',
    status: !sNone.accepted && sNone.code === 'UNAUTHORIZED' ? 'pass' : 'fail',
    detail: sNone.accepted ? 'accepted an anonymous call' : `refused (${sNone.code})`,
  });
  const sStatic = await probe(endpoints.secureUrl, staticToken);
  findings.push({
    id: 'secure-static-token',
    label: 'Secure server refuses the static token',
    status: sStatic.accepted ? 'fail' : 'pass',
    detail: sStatic.accepted ? 'accepted a non-JWT static token' : `refused (${sStatic.code})`,
  });
  try {
    const prm = await discoverProtectedResource(endpoints.secureUrl, { timeoutMs: 5000 });
    findings.push({
      id: 'secure-prm',
      label: 'Secure server publishes matching RFC 9728 metadata',
      status: 'pass',
      detail: `resource ${prm.metadata.resource}, authorization server ${prm.metadata.authorization_servers.join(', ')}`,
    });
  } catch (err) {
    findings.push({
      id: 'secure-prm',
      label: 'Secure server publishes matching RFC 9728 metadata',
      status: 'fail',
      detail: err instanceof Error ? err.message : String(err),
    });
  }
  return findings;
}
