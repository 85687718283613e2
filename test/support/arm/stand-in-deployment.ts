/**
 * A STAND-IN for Azure Resource Manager's deployment engine: it evaluates the ARM template the Bicep
 * compiler produced (parameters with their constraints, variables, conditions, copy loops, nested
 * `Microsoft.Resources/deployments` in dependency order, `reference()` of what was already deployed) and
 * returns every resource with its final id, scope and properties, and the outputs. What Azure itself
 * fills in at creation (a vault's URI, an identity's client id, an environment's domain) comes from
 * {@link StandInCloud.runtime}, so a test can point those at its loopback stand-ins. It does NOT check
 * resource schemas (the Bicep compiler does, against Azure's published types) and runs no RBAC.
 */
import { createHash } from 'node:crypto';
import { evaluateDeep, evaluateExpression, isExpression, type Fn, type Value } from './expressions';

type Json = Record<string, unknown>;

export interface DeployedResource {
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  /** The nested deployment (module) that created it; '' for the top-level template. */
  deployment: string;
  resourceGroup?: string;
  /** Extension resources (role assignments): the id of the resource they apply to. */
  scope?: string;
  location?: string;
  tags?: Record<string, string>;
  identity?: { type: string; userAssignedIdentities?: Record<string, unknown> };
  sku?: Json;
  properties: Json;
  /** Properties as `reference()` sees them after creation: declared ones plus what Azure filled in. */
  runtime: Json;
}

export interface StandInCloud {
  subscriptionId: string;
  tenantId: string;
  /** `environment()`: the cloud's endpoints (a test points loginEndpoint at its token stand-in). */
  environment?: Json;
  /** What Azure fills in per resource type (lower-case type) — merged over the defaults below. */
  runtime?: Record<string, (r: DeployedResource) => Json>;
}

export interface Deployment {
  parameters: Record<string, Value>;
  resources: DeployedResource[];
  outputs: Record<string, Value>;
}

const AZURE_CLOUD = {
  name: 'AzureCloud',
  gallery: 'https://gallery.azure.com/',
  graph: 'https://graph.windows.net/',
  resourceManager: 'https://management.azure.com/',
  authentication: {
    loginEndpoint: 'https://login.microsoftonline.com/',
    audiences: ['https://management.core.windows.net/', 'https://management.azure.com/'],
    tenant: 'common',
  },
  suffixes: { keyvaultDns: '.vault.azure.net', acrLoginServer: '.azurecr.io', storage: 'core.windows.net' },
};

const hash = (...parts: unknown[]) =>
  createHash('sha256')
    .update(parts.map((p) => String(p).toLowerCase()).join('|'))
    .digest();
/** A GUID derived from its inputs (deterministic like ARM's guid(); not the same bytes). */
export const standInGuid = (...parts: unknown[]) => {
  const h = hash('guid', ...parts).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
/** 13 characters of [a-z0-9], like ARM's uniqueString() (not the same hash). */
const uniqueString = (...parts: unknown[]) =>
  [...hash('unique', ...parts).subarray(0, 13)]
    .map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32])
    .join('');

const lowerId = (id: string) =>
  id
    .toLowerCase()
    .replace(/\/providers\/microsoft\.resources\/resourcegroups\//, '/resourcegroups/')
    .replace(/\/$/, '');

/** `providers/A.B/type/name` or, nested, `providers/A.B/type/name/child/childName`. */
function providerPath(type: string, names: string[]): string {
  const [ns, ...types] = type.split('/');
  if (types.length !== names.length)
    throw new Error(`${type} needs ${types.length} name(s), got ${names.length}`);
  return `providers/${ns}/${types.map((t, k) => `${t}/${names[k]}`).join('/')}`;
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
function deepMerge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObject(v) && isObject(a[k]) ? deepMerge(a[k], v) : v;
  return out;
}

class NotYetDeployed extends Error {}

export function deployStandIn(
  template: Json,
  parameters: Record<string, Value>,
  cloud: StandInCloud,
): Deployment {
  const resources: DeployedResource[] = [];
  const deployments = new Map<string, Record<string, Value>>();
  const env = deepMerge(AZURE_CLOUD, cloud.environment ?? {});

  const defaults: Record<string, (r: DeployedResource) => Json> = {
    'microsoft.managedidentity/userassignedidentities': (r) => ({
      principalId: standInGuid(r.id, 'principal'),
      clientId: standInGuid(r.id, 'client'),
      tenantId: cloud.tenantId,
    }),
    'microsoft.keyvault/vaults': (r) => ({
      vaultUri: `https://${r.name}${(env.suffixes as Json).keyvaultDns as string}/`,
    }),
    'microsoft.containerregistry/registries': (r) => ({
      loginServer: `${r.name}${(env.suffixes as Json).acrLoginServer as string}`,
    }),
    'microsoft.operationalinsights/workspaces': (r) => ({ customerId: standInGuid(r.id, 'workspace') }),
    'microsoft.app/managedenvironments': (r) => ({
      defaultDomain: `${uniqueString(r.id)}.${r.location}.azurecontainerapps.io`,
    }),
    'microsoft.app/containerapps': (r) => {
      const envDomain = byId(String(r.properties.environmentId))?.runtime.defaultDomain;
      return { configuration: { ingress: { fqdn: `${r.name}.${String(envDomain)}` } } };
    },
  };
  const byId = (id: string) => resources.find((r) => lowerId(r.id) === lowerId(id));

  interface Scope {
    resourceGroup?: string;
    location?: string;
    deployment: string;
  }

  function run(t: Json, supplied: Record<string, Value>, scope: Scope): Record<string, Value> {
    const declared = (t.parameters ?? {}) as Record<string, Json>;
    for (const name of Object.keys(supplied))
      if (!(name in declared))
        throw new Error(`${scope.deployment || 'template'}: unknown parameter '${name}'`);
    const params: Record<string, Value> = {};
    const vars = new Map<string, Value>();
    let copyIndex: number | undefined;
    const subId = `/subscriptions/${cloud.subscriptionId}`;
    const rgId = (rg: string) => `${subId}/resourceGroups/${rg}`;
    const fns: Record<string, Fn> = {
      parameters: (n) => {
        if (!(String(n) in params)) throw new Error(`parameter ${String(n)} not declared`);
        return params[String(n)];
      },
      variables: (n) => {
        const key = String(n);
        if (!vars.has(key)) {
          const raw = (t.variables as Json | undefined)?.[key];
          if (raw === undefined) throw new Error(`variable ${key} not declared`);
          vars.set(key, evaluateDeep(raw, fns));
        }
        return vars.get(key);
      },
      concat: (...a) => (Array.isArray(a[0]) ? (a as Value[][]).flat() : a.map(String).join('')),
      createarray: (...a) => a,
      createobject: (...a) => Object.fromEntries(a.flatMap((v, k) => (k % 2 ? [] : [[String(v), a[k + 1]]]))),
      union: (...a) =>
        Array.isArray(a[0])
          ? [...new Set((a as Value[][]).flat())]
          : (a as Json[]).reduce((x, y) => ({ ...x, ...y }), {}),
      take: (v, n) => (Array.isArray(v) ? v.slice(0, Number(n)) : String(v).slice(0, Number(n))),
      empty: (v) =>
        v === null ||
        v === undefined ||
        v === '' ||
        (Array.isArray(v) ? v.length === 0 : isObject(v) && !Object.keys(v).length),
      format: (f, ...a) => String(f).replace(/\{(\d+)(:[^}]*)?\}/g, (_, k: string) => String(a[Number(k)])),
      string: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
      tolower: (v) => String(v).toLowerCase(),
      toupper: (v) => String(v).toUpperCase(),
      length: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : Object.keys(v as Json).length),
      json: (v) => JSON.parse(String(v)),
      not: (v) => !v,
      and: (...a) => a.every(Boolean),
      or: (...a) => a.some(Boolean),
      equals: (a, b) => JSON.stringify(a) === JSON.stringify(b),
      coalesce: (...a) => a.find((v) => v !== null && v !== undefined) ?? null,
      contains: (c, v) =>
        Array.isArray(c)
          ? c.includes(v)
          : typeof c === 'string'
            ? c.includes(String(v))
            : String(v) in (c as Json),
      true: () => true,
      false: () => false,
      null: () => null,
      uniquestring: (...a) => uniqueString(...a),
      guid: (...a) => standInGuid(...a),
      copyindex: (offset) => {
        if (copyIndex === undefined) throw new Error('copyIndex() outside a copy loop');
        return copyIndex + Number(offset ?? 0);
      },
      subscription: () => ({
        id: subId,
        subscriptionId: cloud.subscriptionId,
        tenantId: cloud.tenantId,
        displayName: 'Stand-in subscription',
      }),
      resourcegroup: () => {
        if (!scope.resourceGroup) throw new Error('resourceGroup() at subscription scope');
        return { id: rgId(scope.resourceGroup), name: scope.resourceGroup, location: scope.location };
      },
      deployment: () => ({ name: scope.deployment }),
      environment: () => env,
      resourceid: (...a) => {
        const s = a.map(String);
        const k = s.findIndex((x) => /^[A-Za-z]+\.[\w.]+\/\w/.test(x));
        const [sub, rg] =
          k === 2 ? s : k === 1 ? [cloud.subscriptionId, s[0]] : [cloud.subscriptionId, scope.resourceGroup];
        const path = providerPath(s[k]!, s.slice(k + 1));
        return rg ? `/subscriptions/${sub}/resourceGroups/${rg}/${path}` : `/subscriptions/${sub}/${path}`;
      },
      subscriptionresourceid: (...a) => {
        const s = a.map(String);
        const [sub, rest] = /^[A-Za-z]+\.[\w.]+\//.test(s[0]!)
          ? [cloud.subscriptionId, s]
          : [s[0], s.slice(1)];
        return `/subscriptions/${sub}/${providerPath(rest[0]!, rest.slice(1))}`;
      },
      extensionresourceid: (base, type, ...names) =>
        `${String(base)}/${providerPath(String(type), names.map(String))}`,
      reference: (id, _apiVersion, full) => {
        const key = String(id);
        const dep = deployments.get(lowerId(key));
        if (dep) return { outputs: dep };
        const r = byId(key);
        if (!r) throw new NotYetDeployed(key);
        return String(full).toLowerCase() === 'full' ? { ...r, properties: r.runtime } : r.runtime;
      },
      listkeys: (id) => {
        const r = byId(String(id));
        if (!r) throw new NotYetDeployed(String(id));
        return { primarySharedKey: `stand-in-key-${uniqueString(r.id)}`, secondarySharedKey: 'unused' };
      },
    };

    for (const [name, p] of Object.entries(declared)) {
      let value = name in supplied ? supplied[name] : undefined;
      if (value === undefined) {
        if (!('defaultValue' in p))
          throw new Error(`${scope.deployment || 'template'}: parameter '${name}' is required`);
        value = evaluateDeep(p.defaultValue, fns);
      }
      const type = String(p.type).toLowerCase();
      const ok =
        type === 'string' || type === 'securestring'
          ? typeof value === 'string'
          : type === 'int'
            ? Number.isInteger(value)
            : type === 'bool'
              ? typeof value === 'boolean'
              : type === 'array'
                ? Array.isArray(value)
                : isObject(value);
      if (!ok) throw new Error(`parameter '${name}': ${JSON.stringify(value)} is not of type ${type}`);
      const len = Array.isArray(value) || typeof value === 'string' ? value.length : undefined;
      if (len !== undefined && typeof p.minLength === 'number' && len < p.minLength)
        throw new Error(`parameter '${name}': shorter than minLength ${p.minLength}`);
      if (len !== undefined && typeof p.maxLength === 'number' && len > p.maxLength)
        throw new Error(`parameter '${name}': longer than maxLength ${p.maxLength}`);
      if (Array.isArray(p.allowedValues) && !p.allowedValues.includes(value))
        throw new Error(`parameter '${name}': ${JSON.stringify(value)} not in allowedValues`);
      params[name] = value;
    }

    if (!Array.isArray(t.resources))
      throw new Error('symbolic-name templates (languageVersion 2.0) are not supported');
    const pending = [...(t.resources as Json[])].flatMap((r) => {
      if (!r.copy) return [{ r, index: undefined as number | undefined }];
      const count = Number(evaluateDeep((r.copy as Json).count, fns));
      return Array.from({ length: count }, (_, index) => ({ r, index }));
    });
    while (pending.length) {
      const before = pending.length;
      for (let k = 0; k < pending.length; k++) {
        const { r, index } = pending[k]!;
        copyIndex = index;
        try {
          for (const dep of (r.dependsOn ?? []) as string[]) {
            const id = String(isExpression(dep) ? evaluateExpression(dep, fns) : dep);
            if (!deployments.has(lowerId(id)) && !byId(id)) throw new NotYetDeployed(id);
          }
          if (r.condition !== undefined && !evaluateDeep(r.condition, fns)) {
            pending.splice(k--, 1);
            continue;
          }
          deployOne(r, fns, scope, rgId);
          pending.splice(k--, 1);
        } catch (e) {
          if (!(e instanceof NotYetDeployed)) throw e;
        } finally {
          copyIndex = undefined;
        }
      }
      if (pending.length === before)
        throw new Error(
          `${scope.deployment || 'template'}: circular or missing dependencies for ${pending.map((p) => String(p.r.name)).join(', ')}`,
        );
    }
    return Object.fromEntries(
      Object.entries((t.outputs ?? {}) as Record<string, Json>).map(([k, o]) => [
        k,
        evaluateDeep(o.value, fns),
      ]),
    );
  }

  function deployOne(raw: Json, fns: Record<string, Fn>, scope: Scope, rgId: (rg: string) => string): void {
    const { copy: _copy, dependsOn: _dependsOn, condition: _condition, ...rest } = raw;
    const type = String(raw.type);
    if (type.toLowerCase() === 'microsoft.resources/deployments') {
      const name = String(evaluateDeep(raw.name, fns));
      const rg =
        raw.resourceGroup !== undefined ? String(evaluateDeep(raw.resourceGroup, fns)) : scope.resourceGroup;
      const props = raw.properties as Json;
      if ((props.expressionEvaluationOptions as Json | undefined)?.scope !== 'inner')
        throw new Error(`deployment ${name}: only inner-scoped nested templates are supported`);
      const supplied = Object.fromEntries(
        Object.entries((props.parameters ?? {}) as Record<string, Json>).map(([k, v]) => [
          k,
          evaluateDeep(v.value, fns),
        ]),
      );
      const group = rg ? byId(rgId(rg)) : undefined;
      if (rg && !group) throw new NotYetDeployed(rgId(rg));
      const outputs = run(props.template as Json, supplied, {
        resourceGroup: rg,
        location: group?.location,
        deployment: name,
      });
      const id = `${rg ? rgId(rg) : `/subscriptions/${cloud.subscriptionId}`}/providers/Microsoft.Resources/deployments/${name}`;
      deployments.set(
        lowerId(id),
        Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value }])),
      );
      return;
    }
    const r = evaluateDeep(rest, fns) as Json;
    const name = String(r.name);
    const scopeId = r.scope !== undefined ? String(r.scope) : undefined;
    const id =
      type.toLowerCase() === 'microsoft.resources/resourcegroups'
        ? rgId(name)
        : scopeId
          ? `${scopeId}/${providerPath(type, name.split('/'))}`
          : scope.resourceGroup
            ? `${rgId(scope.resourceGroup)}/${providerPath(type, name.split('/'))}`
            : `/subscriptions/${cloud.subscriptionId}/${providerPath(type, name.split('/'))}`;
    const resource: DeployedResource = {
      id,
      type,
      name,
      apiVersion: String(r.apiVersion),
      deployment: scope.deployment,
      resourceGroup: scope.resourceGroup,
      scope: scopeId,
      location: r.location as string | undefined,
      tags: r.tags as Record<string, string> | undefined,
      identity: r.identity as DeployedResource['identity'],
      sku: r.sku as Json | undefined,
      properties: (r.properties ?? {}) as Json,
      runtime: {},
    };
    const fill = cloud.runtime?.[type.toLowerCase()] ?? defaults[type.toLowerCase()];
    resource.runtime = deepMerge(resource.properties, fill ? fill(resource) : {});
    resources.push(resource);
  }

  const outputs = run(template, parameters, { deployment: '' });
  const declared = Object.keys((template.parameters ?? {}) as Json);
  return {
    parameters: Object.fromEntries(declared.map((k) => [k, parameters[k]])),
    resources,
    outputs,
  };
}
