import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '../keyvault-test-server';
import { ArmService } from './arm-server';
import { GraphService } from './graph-server';
import type { RecordedRequest } from './http';
import { KeyVaultService } from './key-vault-server';
import { applyDefect, seedCorrectDeployment, type AzureState, type Defect, type SeedOptions } from './state';
import { TokenService } from './token-server';

export { applyDefect, ROLE, type AzureState, type Defect } from './state';

/**
 * A local stand-in for Azure, shaped like the real services so the REAL clients (@azure/identity,
 * @azure/arm-*, @azure/keyvault-secrets, Graph over fetch) can be pointed at it through their endpoint
 * settings: Entra's token endpoint, Resource Manager, Microsoft Graph and one Key Vault, each on its own
 * https origin (as in Azure: a token for one audience is not valid at another; SecretClient needs a
 * host-only vault URL). One self-signed certificate per run; pass `caPem` or `caFile`
 * (NODE_EXTRA_CA_CERTS) to the clients.
 */
export interface AzureTestServer {
  state: AzureState;
  /** (Re)seeds the correct deployment; the vault URI is filled in. */
  seed(o: Omit<SeedOptions, 'vaultUri'>): AzureState;
  defect(d: Defect): void;
  endpoints: { resourceManager: string; graph: string; authorityHost: string; vaultUrl: string };
  caPem: string;
  caFile: string;
  requests: RecordedRequest[];
  /** Environment for the `sherpa` CLI: ClientSecretCredential via @azure/identity's env vars + endpoints. */
  cliEnv(): Record<string, string>;
  close(): Promise<void>;
}

export async function startAzureTestServer(): Promise<AzureTestServer> {
  const { key, cert } = createSelfSignedCertificate();
  const dir = mkdtempSync(join(tmpdir(), 'sherpa-azure-ca-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, cert);
  const requests: RecordedRequest[] = [];
  const record = (r: RecordedRequest) => void requests.push(r);
  let state: AzureState | undefined;
  const current = () => {
    if (!state) throw new Error('Azure test server used before seed()');
    return state;
  };
  const origins = { login: '', arm: '', graph: '', vault: '' };
  const tokens = new TokenService(current, () => origins.login, record);
  const arm = new ArmService(current, () => origins.arm, tokens, record);
  const graph = new GraphService(current, () => origins.graph, tokens, record);
  const vault = new KeyVaultService(current, tokens, record);

  const servers: https.Server[] = [];
  const serve = async (
    name: keyof typeof origins,
    handler: {
      handle(
        req: import('node:http').IncomingMessage,
        res: import('node:http').ServerResponse,
        url: URL,
      ): Promise<void>;
    },
  ) => {
    const server = https.createServer(
      { key, cert, requestTimeout: 10_000, headersTimeout: 5_000 },
      (req, res) => {
        // `{scope}` paths built from a resource id start with two slashes (`//subscriptions/…`): Resource
        // Manager accepts them; `new URL` would read the first segment as a host.
        const url = new URL((req.url ?? '/').replace(/^\/+/, '/'), origins[name]);
        handler.handle(req, res, url).catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'BadRequest', message: String(err) } }));
        });
      },
    );
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origins[name] = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  await serve('login', tokens);
  await serve('arm', arm);
  await serve('graph', graph);
  await serve('vault', vault);

  const api: AzureTestServer = {
    get state() {
      return current();
    },
    seed(o) {
      state = seedCorrectDeployment({ ...o, vaultUri: `${origins.vault}/` });
      return state;
    },
    defect: (d) => applyDefect(current(), d),
    endpoints: {
      resourceManager: origins.arm,
      graph: origins.graph,
      authorityHost: origins.login,
      vaultUrl: `${origins.vault}/`,
    },
    caPem: cert,
    caFile,
    requests,
    cliEnv: () => ({
      AZURE_TENANT_ID: current().tenantId,
      AZURE_CLIENT_ID: current().caller.clientId,
      AZURE_CLIENT_SECRET: current().caller.clientSecret,
      AZURE_AUTHORITY_HOST: origins.login,
      AZURE_RESOURCE_MANAGER_ENDPOINT: origins.arm,
      MICROSOFT_GRAPH_ENDPOINT: origins.graph,
      NODE_EXTRA_CA_CERTS: caFile,
    }),
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.close(() => r());
              s.closeAllConnections();
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return api;
}
