/**
 * `sherpa connect` and `sherpa audit` against a server nobody here wrote (issue 17 §3): the ASP.NET Core MCP
 * server with Microsoft.Identity.Web (test/interop/dotnet/AspNetEntraMcp), trusting `sherpa lab --entra`. The CLI
 * reaches the Entra lab only as it would reach Entra from behind a corporate proxy: HTTPS_PROXY + the proxy's
 * CA in NODE_EXTRA_CA_CERTS. The sign-in is a person in a browser: the test reads the URL the CLI prints and
 * fills in the lab's sign-in page. Needs the .NET 10 SDK: without it this file FAILS, naming the SDK.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LAB_API_APP_ID_URI, LAB_USERS } from '../../../src/lab/lab-defaults';
import { assertLoopbackUrl, driveLabLogin, entraLabRoute, type LabRoute } from '../../../src/lab/lab-login';
import { spawnCli, startLabProcess, type LabProcess } from '../../support/lab';
import { buildDotnetProject } from '../../support/interop/dotnet';
import {
  entraClientEnv,
  startAspNetEntraServer,
  type AspNetServer,
} from '../../support/interop/aspnet-entra-fixture';

const [alice] = LAB_USERS as unknown as [(typeof LAB_USERS)[0]];

/**
 * Runs `sherpa <args>` and plays the person's browser: the sign-in URL it prints is completed as `user` on
 * the lab's page (through the lab proxy) and the redirect delivered to the CLI's loopback receiver.
 */
async function runCliWithBrowser(
  args: string[],
  env: NodeJS.ProcessEnv,
  route: LabRoute,
): Promise<{ code: number | null; stdout: string; stderr: string; signInUrls: URL[] }> {
  const child = spawnCli(args, { NO_COLOR: '1', SHERPA_NO_BROWSER: '1', ...env });
  child.stdin!.end();
  let stdout = '';
  let stderr = '';
  const signInUrls: URL[] = [];
  const browsing: Promise<void>[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  let next = false;
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr += `${line}\n`;
    if (next) {
      next = false;
      const url = new URL(line.trim());
      signInUrls.push(url);
      browsing.push(
        (async () => {
          const redirect = await driveLabLogin(url, alice, route);
          assertLoopbackUrl(redirect);
          await (await fetch(redirect)).arrayBuffer();
        })(),
      );
    }
    if (line.startsWith('Open this URL to sign in')) next = true;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  await Promise.all(browsing);
  return { code, stdout, stderr, signInUrls };
}

describe('sherpa connect / audit → ASP.NET Core + Microsoft.Identity.Web behind the Entra lab', () => {
  let lab: LabProcess;
  let route: LabRoute;
  let server: AspNetServer;

  before(async () => {
    const { dll } = await buildDotnetProject('AspNetEntraMcp');
    lab = await startLabProcess({ args: ['--entra', '--proxy-port', '0'] });
    route = entraLabRoute(lab.entra!, await readFile(lab.entra!.caPath, 'utf8'));
    server = await startAspNetEntraServer(dll, lab);
  });
  after(async () => {
    await server?.stop();
    await lab?.stop();
  });

  test('sherpa connect signs in through the proxy, lists the tools and calls whoami', async () => {
    const r = await runCliWithBrowser(
      ['connect', server.mcpUrl, '--no-resource', '--trust-api', LAB_API_APP_ID_URI, '--call', 'whoami'],
      entraClientEnv(lab),
      route,
    );
    console.log(r.stdout, r.stderr, r.signInUrls.map((u) => u.href));
    assert.equal(r.code, 0, r.stderr);
  });
});
