/**
 * "Will client X sign in here?" — predicted, nobody signs in. Each client's behaviour is a row of
 * client-profiles.ts (with its sources); this file only applies a row to what the audit learnt about the
 * server: its PRM (and whether `resource` matched), the authorization server metadata (PKCE methods,
 * CIMD, DCR), the Entra doctor's pre-login /authorize answers (`resource` refused → AADSTS9010010) and,
 * with --probe-registration, what the server's DCR said to the client's own redirect URIs.
 */
import { isEntraIssuer, isEntraPublicCloudIssuer } from '../entra';
import type { CheckKey } from './catalogue';
import { dcrVerdictFor } from './checks-registration';
import { CLIENT_PROFILES, type ClientProfile, type RegistrationStep } from './client-profiles';
import { record, type AuditContext } from './context';
import type { Observation } from './findings';

const CHECK_OF: Record<ClientProfile['id'], CheckKey> = {
  vscode: 'compatVsCode',
  claude: 'compatClaude',
  cursor: 'compatCursor',
  chatgpt: 'compatChatGpt',
  inspector: 'compatInspector',
  'mcp-remote': 'compatMcpRemote',
};

/** How each registration step reads in a prediction (and in the Audit view's compatibility rows). */
export const STEP_NAMES: Record<RegistrationStep, string> = {
  'entra-first-party': "Entra's pre-registered first-party client",
  cimd: 'a Client ID Metadata Document',
  dcr: 'dynamic registration',
  'manual-client-id': 'a client id registered by hand',
};

export function runCompatibilityChecks(ctx: AuditContext): void {
  for (const profile of CLIENT_PROFILES) record(ctx, CHECK_OF[profile.id], predictSignIn(ctx, profile));
}

/** One client's prediction: blockers make it fail, open questions make it a warning. */
export function predictSignIn(ctx: AuditContext, p: ClientProfile): Observation {
  if (!ctx.prm)
    return {
      status: 'skip',
      detail: 'no Protected Resource Metadata: no client can discover how to sign in',
    };
  const blockers: string[] = [];
  const doubts: string[] = [];
  const finding = (id: string) => ctx.findings.find((f) => f.id === id);

  if (p.checksPrmResource && finding('prm.resource-match')?.status === 'fail')
    blockers.push(
      `PRM resource "${ctx.prm.metadata.resource}" is not the server URL, which it refuses (RFC 9728 §3.3)`,
    );
  const meta = ctx.as?.metadata;
  if (!meta)
    return {
      status: 'fail',
      detail: [...blockers, 'no authorization server metadata to start from'].join('; '),
    };
  const entra = isEntraIssuer(meta.issuer) || ctx.entraDoctor;

  if (!meta.code_challenge_methods_supported?.includes('S256')) {
    if (p.refusesWithoutPkceMetadata === true)
      blockers.push('S256 is not advertised and it refuses such a server');
    else if (p.refusesWithoutPkceMetadata === null)
      doubts.push(
        'S256 is not advertised: a client following MCP 2026-07-28 refuses (its behaviour here is not known)',
      );
  }

  // The first registration step this server offers; a DCR refusal measured by --probe-registration
  // moves on to the next step the client has, as the client does.
  let step: RegistrationStep | undefined;
  for (const s of p.registration) {
    if (s === 'entra-first-party' && !isEntraPublicCloudIssuer(meta.issuer)) continue;
    if (s === 'cimd' && meta.client_id_metadata_document_supported !== true) continue;
    if (s === 'dcr') {
      if (!meta.registration_endpoint) continue;
      const verdict = dcrVerdictFor(ctx, p.id);
      if (verdict && !verdict.accepted) {
        blockers.push(verdict.detail);
        continue;
      }
      if (verdict?.partial) doubts.push(verdict.detail);
      if (!verdict) {
        const unusual = p.redirectUris.filter(
          (u) => !/^https:\/\/|^http:\/\/(localhost|127\.0\.0\.1)[:/]/.test(u),
        );
        if (unusual.length)
          doubts.push(
            `its redirect URIs include ${unusual.join(', ')}, which DCR policies that allow only https and loopback refuse (--probe-registration tries them)`,
          );
      }
    }
    step = s;
    break;
  }
  if (step && step !== 'dcr') {
    // An earlier DCR refusal is not a blocker once a later step works.
    const i = blockers.findIndex((b) => b.startsWith('DCR '));
    if (i >= 0) doubts.push(blockers.splice(i, 1)[0]!);
  }
  if (!step)
    blockers.push(
      `none of its registration ways is offered (${p.registration.map((s) => STEP_NAMES[s]).join(', ')})${entra ? '; Entra ID has no dynamic registration' : ''}`,
    );
  else if (step === 'manual-client-id') doubts.push('only with a client id registered by hand and typed in');

  const sendsResource = entra ? p.sendsResource.entra : p.sendsResource.default;
  const doctor = finding('entra.resource-scope');
  if (entra && sendsResource && doctor?.status === 'fail')
    blockers.push(
      `it sends resource=${ctx.prm.metadata.resource}, which Entra refuses with this scope (${/AADSTS\d+/.exec(doctor.detail)?.[0] ?? 'see entra.resource-scope'})`,
    );

  const how = step
    ? `via ${STEP_NAMES[step]}${sendsResource ? ', sending resource' : ', without resource'}`
    : '';
  return {
    status: blockers.length ? 'fail' : doubts.length ? 'warn' : 'pass',
    detail: blockers.length
      ? `will not sign in: ${blockers.join('; ')}`
      : `${doubts.length ? 'may sign in' : 'should sign in'} ${how}${doubts.length ? ` — but ${doubts.join('; ')}` : ''}`,
    evidence: [
      {
        request: `client profile ${p.id} (src/core/audit/client-profiles.ts)`,
        note: `sources: ${p.sources.map((s) => s.url).join(' ')}`,
      },
    ],
  };
}
