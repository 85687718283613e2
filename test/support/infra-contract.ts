import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * The infra contract, checked as text (no Bicep compiler can be installed here: it ships on NuGet only).
 * Sides: infra/main.bicep + modules ↔ infra/main.parameters.json ↔ azure.yaml ↔ the env names the servers
 * read (src/servers/*\/options-from-env.ts) ↔ infra/Dockerfile ↔ the outputs Sherpa reads back
 * (src/core/azure/deployment-outputs.ts). Returns one line per broken promise; [] = consistent.
 */
export type InfraFiles = Record<string, string>;

export const INFRA_FILES = [
  'azure.yaml',
  'infra/main.bicep',
  'infra/main.parameters.json',
  'infra/Dockerfile',
  'infra/modules/container-app.bicep',
  'infra/modules/key-vault.bicep',
  'infra/modules/registry.bicep',
  'infra/modules/identities.bicep',
  'infra/modules/container-apps-environment.bicep',
  'infra/modules/monitoring.bicep',
  'src/servers/secure/options-from-env.ts',
  'src/servers/vulnerable/options-from-env.ts',
  'src/core/azure/deployment-outputs.ts',
] as const;

export function readInfraFiles(root: string): InfraFiles {
  const files: InfraFiles = {};
  for (const f of INFRA_FILES)
    files[f] = existsSync(join(root, f)) ? readFileSync(join(root, f), 'utf8') : '';
  return files;
}

interface BicepParam {
  name: string;
  hasDefault: boolean;
}

export function bicepParams(text: string): BicepParam[] {
  return [...text.matchAll(/^param (\w+) \w+( =.*)?$/gm)].map((m) => ({ name: m[1]!, hasDefault: !!m[2] }));
}

export function bicepOutputs(text: string): string[] {
  return [...text.matchAll(/^output (\w+) /gm)].map((m) => m[1]!);
}

/** `module sym 'path' = { … params: { key: … } }` → the keys at the params block's first level. */
export function bicepModules(
  text: string,
): { symbol: string; path: string; body: string; params: string[] }[] {
  const out = [];
  for (const m of text.matchAll(/^module (\w+) '([^']+)' = \{/gm)) {
    const body = block(text, m.index! + m[0].length - 1);
    const p = /\n {2}params: \{/.exec(body);
    const params = p ? topLevelKeys(block(body, p.index + p[0].length - 1)) : [];
    out.push({ symbol: m[1]!, path: m[2]!, body, params });
  }
  return out;
}

/** The `{ name: 'X', value: … }` entries of a module call's `env` parameter. */
export function envNames(moduleBody: string): string[] {
  const at = moduleBody.indexOf('env:');
  if (at < 0) return [];
  return [...moduleBody.slice(at).matchAll(/\{ name: '(\w+)', value:/g)].map((m) => m[1]!);
}

function block(text: string, openAt: number): string {
  let depth = 0;
  for (let i = openAt; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(openAt, i + 1);
  }
  return text.slice(openAt);
}

function topLevelKeys(objectText: string): string[] {
  // `{ a: x, b: y }` on one line: every key is top-level (values here are names and strings, no colons).
  if (!objectText.includes('\n')) return [...objectText.matchAll(/(\w+):/g)].map((k) => k[1]!);
  const keys: string[] = [];
  let depth = 0;
  for (const line of objectText.split('\n')) {
    const m = /^\s*(\w+):/.exec(line);
    if (depth === 1 && m) keys.push(m[1]!);
    for (const ch of line) depth += '{[('.includes(ch) ? 1 : '}])'.includes(ch) ? -1 : 0;
  }
  return keys;
}

/** Env names a server's options-from-env reads: `env.X`, `env['X']`, `requireSetting(env, 'X', …)`. */
export function envNamesRead(source: string): { read: Set<string>; required: Set<string> } {
  const read = new Set<string>();
  for (const m of source.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)) read.add(m[1]!);
  const required = new Set<string>();
  for (const m of source.matchAll(/(?:requireSetting\(\s*env,\s*|fail\(\s*)'([A-Z][A-Z0-9_]+)'/g)) {
    read.add(m[1]!);
    required.add(m[1]!);
  }
  return { read, required };
}

export function checkInfraContract(files: InfraFiles): string[] {
  const problems: string[] = [];
  const main = files['infra/main.bicep'] ?? '';
  const params = bicepParams(main);
  const outputs = bicepOutputs(main);
  const modules = bicepModules(main);

  // Modules: each exists, and main passes exactly the params the module declares (required ones at least).
  for (const mod of modules) {
    const text = files[`infra/${mod.path}`];
    if (!text) {
      problems.push(`main.bicep: module ${mod.symbol} points at missing infra/${mod.path}`);
      continue;
    }
    const declared = bicepParams(text);
    for (const p of declared) {
      if (!p.hasDefault && !mod.params.includes(p.name)) {
        problems.push(
          `main.bicep: module ${mod.symbol} does not pass required param ${p.name} of ${mod.path}`,
        );
      }
    }
    for (const k of mod.params) {
      if (!declared.some((p) => p.name === k))
        problems.push(`main.bicep: module ${mod.symbol} passes unknown param ${k}`);
    }
  }

  // main.parameters.json ↔ main.bicep params.
  let parameterFile: { parameters?: Record<string, { value?: unknown }> } = {};
  try {
    parameterFile = JSON.parse(files['infra/main.parameters.json'] ?? '') as typeof parameterFile;
  } catch {
    problems.push('infra/main.parameters.json is not JSON');
  }
  const given = parameterFile.parameters ?? {};
  for (const p of params) {
    if (!p.hasDefault && !(p.name in given))
      problems.push(`main.parameters.json: required param ${p.name} not given`);
  }
  for (const [name, v] of Object.entries(given)) {
    if (!params.some((p) => p.name === name))
      problems.push(`main.parameters.json: ${name} is not a param of main.bicep`);
    if (typeof v.value !== 'string' || !/^\$\{[A-Z0-9_]+=?\}$/.test(v.value)) {
      problems.push(`main.parameters.json: ${name} is not an azd \${VAR} reference`);
    }
  }

  // azure.yaml ↔ Bicep: infra path, one container app per service tagged with its name, image params.
  let azureYaml: {
    infra?: { path?: string; module?: string };
    services?: Record<string, { host?: string; project?: string; docker?: { path?: string } }>;
  } = {};
  try {
    azureYaml = (parseYaml(files['azure.yaml'] ?? '') ?? {}) as typeof azureYaml;
  } catch {
    problems.push('azure.yaml is not YAML');
  }
  if (`${azureYaml.infra?.path}/${azureYaml.infra?.module}.bicep` !== 'infra/main.bicep') {
    problems.push('azure.yaml: infra.path/module must name infra/main.bicep');
  }
  const services = Object.entries(azureYaml.services ?? {});
  if (services.length !== 2)
    problems.push(`azure.yaml: expected 2 services (secure, vulnerable), got ${services.length}`);
  const appModules = modules.filter((m) => m.path === 'modules/container-app.bicep');
  for (const [name, svc] of services) {
    if (svc.host !== 'containerapp') problems.push(`azure.yaml: service ${name} is not host: containerapp`);
    if (svc.docker?.path !== 'infra/Dockerfile')
      problems.push(`azure.yaml: service ${name} does not build infra/Dockerfile`);
    if (!appModules.some((m) => m.body.includes(`serviceName: '${name}'`))) {
      problems.push(`main.bicep: no container app with serviceName '${name}' (azd-service-name tag)`);
    }
    const imageVar = `\${SERVICE_${name.toUpperCase()}_IMAGE_NAME=}`;
    if (!Object.values(given).some((v) => v.value === imageVar)) {
      problems.push(`main.parameters.json: no parameter reads ${imageVar} for service ${name}`);
    }
  }
  if (!(files['infra/modules/container-app.bicep'] ?? '').includes("'azd-service-name': serviceName")) {
    problems.push('container-app.bicep: the app is not tagged azd-service-name');
  }

  // Env names ↔ what each server reads; args ↔ `sherpa serve <which>`.
  const dockerfile = files['infra/Dockerfile'] ?? '';
  const exposed = /^EXPOSE (\d+)$/m.exec(dockerfile)?.[1];
  for (const which of ['secure', 'vulnerable'] as const) {
    const mod = appModules.find((m) => m.body.includes(`serviceName: '${which}'`));
    if (!mod) continue;
    const { read, required } = envNamesRead(files[`src/servers/${which}/options-from-env.ts`] ?? '');
    const set = envNames(mod.body);
    for (const name of set) {
      if (!read.has(name))
        problems.push(`main.bicep: ${which} app sets ${name}, which the ${which} server never reads`);
    }
    // SHERPA_API_CLIENT_ID comes later (configure); SECRETS_FILE is the lab's alternative to KEY_VAULT_URL.
    const later = new Set(['SHERPA_API_CLIENT_ID', 'SECRETS_FILE']);
    for (const name of required) {
      if (!set.includes(name) && !later.has(name))
        problems.push(`main.bicep: ${which} app does not set required ${name}`);
    }
    if (!mod.body.includes(`args: ['serve', '${which}']`))
      problems.push(`main.bicep: ${which} app does not run 'serve ${which}'`);
    const port = /\{ name: 'PORT', value: '(\d+)' \}/.exec(mod.body)?.[1];
    if (port !== exposed) problems.push(`main.bicep: ${which} PORT ${port} ≠ Dockerfile EXPOSE ${exposed}`);
  }
  if (!(files['infra/modules/container-app.bicep'] ?? '').includes(`placeholder ? 80 : ${exposed}`)) {
    problems.push(`container-app.bicep: ingress targetPort is not the Dockerfile's EXPOSE ${exposed}`);
  }

  // Dockerfile: current LTS, non-root, the bundle only, `serve secure` by default.
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
  const runtime = froms.at(-1) ?? '';
  if (!/^node:(22|24)(-|$)/.test(runtime))
    problems.push(`Dockerfile: runtime image ${runtime} is not Node 22/24 LTS`);
  const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  if (!/^USER (?!root)\w+/m.test(runtimeStage))
    problems.push('Dockerfile: runtime stage does not switch to a non-root USER');
  if (/node_modules/.test(runtimeStage.replace(/^#.*$/gm, '')))
    problems.push('Dockerfile: runtime stage copies node_modules');
  if (!/^ENTRYPOINT \["node", "\/app\/sherpa\.mjs"\]$/m.test(runtimeStage))
    problems.push('Dockerfile: ENTRYPOINT is not node /app/sherpa.mjs');
  if (!/^CMD \["serve", "secure"\]$/m.test(runtimeStage))
    problems.push('Dockerfile: CMD is not serve secure');

  // Outputs Sherpa reads back.
  const wanted = [
    ...(files['src/core/azure/deployment-outputs.ts'] ?? '').matchAll(/^ {2}'([A-Z0-9_]+)',$/gm),
  ].map((m) => m[1]!);
  if (wanted.length === 0) problems.push('deployment-outputs.ts: no output names found');
  for (const name of wanted)
    if (!outputs.includes(name)) problems.push(`main.bicep: no output ${name} (Sherpa reads it)`);

  // The identity design (the workshop's defects, fixed).
  const vulnerable = appModules.find((m) => m.body.includes("serviceName: 'vulnerable'"))?.body ?? '';
  const secure = appModules.find((m) => m.body.includes("serviceName: 'secure'"))?.body ?? '';
  if (!vulnerable.includes('identityId: identities.outputs.vulnerableIdentityId'))
    problems.push('main.bicep: vulnerable app does not carry its own identity');
  if (!secure.includes('identityId: identities.outputs.secureIdentityId'))
    problems.push('main.bicep: secure app does not carry the secure identity');
  const vault = modules.find((m) => m.path === 'modules/key-vault.bicep')?.body ?? '';
  if (!vault.includes('secretsUserPrincipalId: identities.outputs.securePrincipalId'))
    problems.push('main.bicep: Secrets User is not granted to the secure identity');
  const kv = files['infra/modules/key-vault.bicep'] ?? '';
  if (!/resource secretsUser [^\n]+\n(?:.*\n){1,2}\s+scope: vault\n/.test(kv))
    problems.push('key-vault.bicep: Secrets User is not scoped to the vault');
  if (!kv.includes('enableRbacAuthorization: true'))
    problems.push('key-vault.bicep: vault is not in RBAC mode');
  if (!(files['infra/modules/registry.bicep'] ?? '').includes('adminUserEnabled: false'))
    problems.push('registry.bicep: admin user is not disabled');
  const app = files['infra/modules/container-app.bicep'] ?? '';
  if (/managedEnvironmentId/.test(app.replace(/\/\/.*$/gm, '').replace(/@description\(.*\)$/gm, '')))
    problems.push('container-app.bicep: uses deprecated managedEnvironmentId');
  if (!app.includes('environmentId: environmentId'))
    problems.push('container-app.bicep: environmentId not set');
  if (!/healthPath: '\/\.well-known\/oauth-protected-resource\/mcp'/.test(secure))
    problems.push('main.bicep: secure app has no HTTP health probe path');
  if (!/maxReplicas: [2-9]/.test(secure)) problems.push('main.bicep: secure app cannot scale out');
  if (!app.includes('http: { metadata: { concurrentRequests:'))
    problems.push('container-app.bicep: no HTTP scale rule');
  return problems;
}
