import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * STAND-INS for azd, az and docker, which cannot be installed here: POSIX sh scripts on a PATH of their
 * own that record their arguments and answer in the real tools' output formats (azd's
 * `contracts.LoginResult` `{"status":"success"|"unauthenticated","expiresOn"}` with exit 0 either way,
 * `azd env get-values --output json`, `az account show --output json` / "Please run 'az login'", docker's
 * `version --format '{{json .}}'` with `"Server":null` and exit 1 when the daemon is down). They test
 * Sherpa's preflight and step wiring — not azd, az or docker themselves.
 */
export interface StandInScenario {
  tools?: ('azd' | 'az' | 'docker')[];
  azdSignedIn?: boolean;
  azSignedIn?: boolean;
  dockerRunning?: boolean;
  providerState?: 'Registered' | 'NotRegistered' | 'Registering';
  /** `azd env get-values` JSON; undefined = no environment (exit 1). */
  azdEnv?: Record<string, string>;
  /** Exit code of `azd provision` / `azd deploy`. */
  azdProvisionExit?: number;
  subscriptionId?: string;
}

export interface StandIns {
  binDir: string;
  /** Every invocation, `tool arg arg …`, in order. */
  calls(): string[];
  close(): void;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function createStandIns(s: StandInScenario): StandIns {
  const binDir = mkdtempSync(join(tmpdir(), 'sherpa-standins-'));
  const log = join(binDir, 'calls.log');
  const tools = s.tools ?? ['azd', 'az', 'docker'];
  const sub = s.subscriptionId ?? '11111111-2222-3333-4444-555555555555';
  // Builtins only: the stand-ins' PATH holds nothing else.
  const record = (tool: string) => `printf '%s\\n' "${tool} $*" >> ${q(log)}`;
  const scripts: Record<string, string> = {
    azd: `#!/bin/sh
${record('azd')}
case "$*" in
  "version --output json") printf '%s\\n' '{"azd":{"version":"1.21.3","commit":"0000000000000000000000000000000000000000"}}' ;;
  "auth login --check-status --output json")
    ${s.azdSignedIn === false ? `printf '%s\\n' '{"status":"unauthenticated"}'` : `printf '%s\\n' '{"status":"success","expiresOn":"2030-01-01T00:00:00Z"}'`} ;;
  "env get-values --output json")
    ${s.azdEnv ? `printf '%s\\n' ${q(JSON.stringify(s.azdEnv))}` : `printf '%s\\n' 'ERROR: no default environment set' >&2; exit 1`} ;;
  "provision --no-prompt"|"deploy --no-prompt") printf '%s\\n' "azd stand-in: $1 done"; exit ${s.azdProvisionExit ?? 0} ;;
  env\\ new*|env\\ set*) exit 0 ;;
  *) printf '%s\\n' "azd stand-in: unexpected arguments: $*" >&2; exit 2 ;;
esac
`,
    az: `#!/bin/sh
${record('az')}
case "$*" in
  "version --output json") printf '%s\\n' '{"azure-cli":"2.80.0","azure-cli-core":"2.80.0","extensions":{}}' ;;
  "account show --output json")
    ${s.azSignedIn === false ? `printf '%s\\n' "ERROR: Please run 'az login' to setup account." >&2; exit 1` : `printf '%s\\n' ${q(JSON.stringify({ environmentName: 'AzureCloud', id: sub, isDefault: true, name: 'Sherpa Test Subscription', state: 'Enabled', tenantId: '6f1d4c2a-3b8e-4f7a-9c51-2d0e8b7a4f13', user: { name: 'alice@contoso.example', type: 'user' } }))}`} ;;
  provider\\ show\\ --namespace\\ Microsoft.App*) printf '%s\\n' ${q(s.providerState ?? 'Registered')} ;;
  *) printf '%s\\n' "az stand-in: unexpected arguments: $*" >&2; exit 2 ;;
esac
`,
    docker: `#!/bin/sh
${record('docker')}
case "$*" in
  "version --format {{json .}}")
    ${s.dockerRunning === false ? `printf '%s\\n' '{"Client":{"Version":"27.3.1"},"Server":null}'; printf '%s\\n' 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1` : `printf '%s\\n' '{"Client":{"Version":"27.3.1"},"Server":{"Version":"27.3.1"}}'`} ;;
  *) printf '%s\\n' "docker stand-in: unexpected arguments: $*" >&2; exit 2 ;;
esac
`,
  };
  for (const tool of tools) {
    writeFileSync(join(binDir, tool), scripts[tool]!);
    chmodSync(join(binDir, tool), 0o755);
  }
  return {
    binDir,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []),
    close: () => rmSync(binDir, { recursive: true, force: true }),
  };
}
