/**
 * The hostile-server corpus against the `sherpa` CLI as a person runs it (`sherpa connect <url>`): one
 * malicious behaviour per case, served by a real loopback server (test/support/hostile). The platform's
 * URL opener is replaced on PATH by a STAND-IN (test/support/hostile/stand-in-opener.mjs) that records
 * its argument vector and then behaves like a browser; no real browser is started.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { collectRun, spawnCli } from '../../support/lab';
import {
  startHostileServer,
  type HostileBehaviour,
  type HostileServer,
} from '../../support/hostile/hostile-server';

const OPENER = resolve(import.meta.dirname, '..', '..', 'support', 'hostile', 'stand-in-opener.mjs');
const ENTRA = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
let dir: string;
let bin: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sherpa-hostile-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  for (const name of ['xdg-open', 'open']) await symlink(OPENER, join(bin, name));
});
after(() => rm(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Argument vectors the stand-in opener was started with. */
  opened: string[][];
}

let runs = 0;
async function connect(server: HostileServer, extra: string[] = []): Promise<Run> {
  const record = join(dir, `opener-${++runs}.jsonl`);
  // The stand-in's authorization server offers no registration: the person configured a client id for it.
  const client = extra.includes('--client-id') ? [] : ['--client-id', 'hostile-stand-in-client'];
  const child = spawnCli(['connect', server.url, ...client, ...extra], {
    NO_COLOR: '1',
    SHERPA_NO_BROWSER: '0',
    SHERPA_OPENER_RECORD: record,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
  });
  // A hang is a failure too: the corpus must be refused promptly, not by the 5-minute login timeout.
  const { code, stdout, stderr } = await collectRun(child, { killAfterMs: 30_000 });
  const opened = existsSync(record)
    ? (await readFile(record, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[])
    : [];
  return { code, stdout, stderr, opened };
}

/** Runs `run` against a hostile server; a behaviour that needs the server's own origin gets it. */
async function withServer(
  b: HostileBehaviour | ((origin: string) => HostileBehaviour),
  run: (s: HostileServer) => Promise<void>,
): Promise<void> {
  const behaviour: HostileBehaviour = typeof b === 'function' ? {} : b;
  const server = await startHostileServer(behaviour);
  if (typeof b === 'function') Object.assign(behaviour, b(server.origin));
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

// Finding control characters (and bidi overrides) in the output is the point of this pattern.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

/** No token reached the hostile server except the one it minted itself. */
function assertNoForeignToken(s: HostileServer): void {
  for (const a of s.authorizations())
    assert.equal(a, 'Bearer hostile-opaque-token-0001', 'a foreign token was sent');
}

describe('hostile servers vs the sherpa CLI', () => {
  test('shell metacharacters in authorization_endpoint reach the opener as one argument, and nothing runs', async () => {
    const marker = join(dir, 'pwned-authorize');
    await withServer(
      (origin) => ({
        asMetadata: {
          authorization_endpoint: `${origin}/as/authorize/$(touch$IFS${marker})/|touch$IFS${marker};`,
        },
      }),
      async (s) => {
        const r = await connect(s);
        assert.equal(existsSync(marker), false, 'a command in the URL ran');
        assert.equal(r.opened.length, 1, r.stderr);
        assert.equal(r.opened[0]!.length, 1, 'the opener got the URL as exactly one argument');
        assert.ok(r.opened[0]![0]!.startsWith(`${s.origin}/as/authorize/$(touch$IFS`), r.opened[0]![0]);
        // The flow then completes with the server's own opaque token: printed as such, exit 0.
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /Opaque access token \(not a JWT\)/);
        assertNoForeignToken(s);
      },
    );
  });

  test('shell metacharacters in resource_metadata and authorization_servers run nothing', async () => {
    const marker = join(dir, 'pwned-prm');
    await withServer(
      (origin) => ({
        resourceMetadata: `${origin}/.well-known/oauth-protected-resource/mcp?$(touch$IFS${marker})`,
        prm: { authorization_servers: [`${origin}/as$(touch$IFS${marker})`] },
      }),
      async (s) => {
        const r = await connect(s);
        assert.equal(existsSync(marker), false);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /AS_METADATA_INVALID|AS_ISSUER_MISMATCH/);
        assert.equal(r.opened.length, 0);
      },
    );
  });

  for (const [name, scope] of [
    [
      'SHERPA_RESOURCE/SHERPA_ISSUER pseudo-scopes',
      'SHERPA_RESOURCE:http://127.0.0.1:7482/mcp SHERPA_ISSUER:http://127.0.0.1:7480/t/v2.0 x',
    ],
    [
      'VSCODE_CLIENT_ID/VSCODE_TENANT pseudo-scopes',
      'VSCODE_CLIENT_ID:04b07795-8ddb-461a-bbee-02f9e1bf7b46 VSCODE_TENANT:common x',
    ],
    ['a quoted scope that is not a scope-token', 'a\\"b'],
  ] as const) {
    test(`challenge scope with ${name} is refused before any sign-in`, async () => {
      await withServer({ challengeScope: scope }, async (s) => {
        const r = await connect(s);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /\[UNTRUSTED_SCOPE\]/);
        assert.equal(r.opened.length, 0, 'no browser was opened');
        assert.deepEqual(s.authorizations(), []);
      });
    });
  }

  test('pseudo-scopes in PRM scopes_supported are refused too', async () => {
    await withServer({ prm: { scopes_supported: ['SHERPA_CLIENT_ID:evil', 'read'] } }, async (s) => {
      const r = await connect(s);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /protected-resource-metadata.*\[UNTRUSTED_SCOPE\]/);
    });
  });

  for (const scope of [
    'api://1111aaaa-0000-4000-8000-000000000000/access_as_user',
    'https://graph.microsoft.com/.default',
    'User.Read Mail.Read',
    'https://management.azure.com/user_impersonation',
  ]) {
    test(`on Entra, a scope for another resource (${scope}) is refused before contacting Entra`, async () => {
      await withServer({ challengeScope: scope, prm: { authorization_servers: [ENTRA] } }, async (s) => {
        const r = await connect(s);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /on Entra ID it would be a token for .*\[UNTRUSTED_SCOPE\]/);
        assert.equal(r.opened.length, 0);
      });
    });
  }

  // Issue 16 HIGH 1: on Entra an empty or OpenID-only scope list is a Microsoft Graph sign-in.
  for (const [name, b] of [
    ['no scope at all', {}],
    ['an OpenID-only challenge scope', { challengeScope: 'openid profile email offline_access' }],
    ['OpenID-only scopes_supported', { prm: { scopes_supported: ['openid', 'profile', 'offline_access'] } }],
  ] as const) {
    test(`on Entra, ${name} is refused (RESOURCE_SCOPE_MISSING) before contacting Entra`, async () => {
      const behaviour: HostileBehaviour = {
        ...b,
        prm: { authorization_servers: [ENTRA], ...('prm' in b ? b.prm : {}) },
      };
      await withServer(behaviour, async (s) => {
        const r = await connect(s);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /Microsoft Graph token.*\[RESOURCE_SCOPE_MISSING\]/s);
        assert.equal(r.opened.length, 0, 'no browser was opened');
        assert.deepEqual(s.authorizations(), []);
      });
    });
  }

  // Issue 16 HIGH 2: trust in an api:// identifier belongs to one server URL.
  test("server B naming server A's trusted api:// identifier is refused unless it is trusted for B", async () => {
    const api = 'api://2222bbbb-0000-4000-8000-000000000000';
    const a = 'https://mcp-a.example.com/mcp';
    await withServer(
      { challengeScope: `${api}/access_as_user`, prm: { authorization_servers: [ENTRA] } },
      async (b) => {
        const forA = await connect(b, ['--trust-api', `${a}=${api}`]);
        assert.equal(forA.code, 1, forA.stderr);
        assert.match(
          forA.stderr,
          /on Entra ID it would be a token for api:\/\/2222bbbb.*\[UNTRUSTED_SCOPE\]/s,
        );
        assert.deepEqual(b.authorizations(), []);
        // Trusted for B itself, the scope passes the policy (the run then stops at Entra, out of reach).
        for (const trust of [api, `${b.url}=${api}`]) {
          const forB = await connect(b, ['--trust-api', trust]);
          assert.doesNotMatch(forB.stderr, /UNTRUSTED_SCOPE|RESOURCE_SCOPE_MISSING/, trust);
          assert.match(forB.stdout, /✔ prm/, trust);
        }
        assert.deepEqual(b.authorizations(), []);
      },
    );
  });

  for (const [target, code] of [
    ['https://169.254.169.254/latest/meta-data/iam', 'UNSAFE_URL'],
    ['https://10.20.30.40/.well-known/oauth-protected-resource', 'UNSAFE_URL'],
    ['https://[fd00:ec2::254]/latest/meta-data', 'UNSAFE_URL'],
    ['http://192.168.1.1/prm', 'INSECURE_TRANSPORT'],
    ['file:///etc/passwd', 'INSECURE_TRANSPORT'],
  ] as const) {
    test(`resource_metadata pointing at ${target} is refused (${code}) without a request`, async () => {
      await withServer({ resourceMetadata: target }, async (s) => {
        const r = await connect(s);
        assert.equal(r.code, 1);
        assert.match(r.stderr, new RegExp(`\\[${code}\\]`));
      });
    });
  }

  test('a PRM redirect to the cloud metadata address is not followed', async () => {
    await withServer({ prmBody: { redirect: 'http://169.254.169.254/latest/meta-data/' } }, async (s) => {
      const r = await connect(s);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /\[UNSAFE_REDIRECT\]/);
    });
  });

  test('an endless PRM body is cut off at the size limit', async () => {
    await withServer({ prmBody: 'endless' }, async (s) => {
      const r = await connect(s);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /\[RESPONSE_TOO_LARGE\]/);
    });
  });

  for (const endpoint of [
    'javascript:alert(document.cookie)',
    'file:///etc/passwd',
    'vscode://vscode.git/clone?url=x',
    'https://user:pw@example.com/authorize',
  ]) {
    test(`authorization_endpoint ${endpoint.split(':')[0]}: is never opened`, async () => {
      await withServer({ asMetadata: { authorization_endpoint: endpoint } }, async (s) => {
        const r = await connect(s);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /\[UNSAFE_URL\]/);
        assert.equal(r.opened.length, 0);
      });
    });
  }

  // Issue 16 LOW: URLs a grant opens (not fetches) pass the session's address policy too.
  for (const endpoint of ['https://10.0.0.1/authorize', 'https://169.254.169.254/authorize']) {
    test(`authorization_endpoint on ${new URL(endpoint).hostname} (not the server's address class) is never opened`, async () => {
      await withServer({ asMetadata: { authorization_endpoint: endpoint } }, async (s) => {
        const r = await connect(s);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /is a (private|link-local) address.*\[UNSAFE_URL\]/s);
        assert.equal(r.opened.length, 0);
      });
    });
  }

  test('a device verification_uri on a private address is refused before the code is shown', async () => {
    await withServer({ device: { verification_uri: 'https://10.1.2.3/device' } }, async (s) => {
      const r = await connect(s, ['--device-code']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /10\.1\.2\.3 is a private address.*\[UNSAFE_URL\]/s);
      assert.doesNotMatch(r.stderr, /HOST-ILE1/, 'the code was not shown');
      assert.ok(!s.requests.some((q) => q.path === '/as/token'), 'no polling');
    });
  });

  test("a device verification_uri on another host than the issuer's is shown with a phishing warning", async () => {
    await withServer(
      (origin) => ({ device: { verification_uri: `${origin.replace('127.0.0.1', 'localhost')}/device` } }),
      async (s) => {
        const r = await connect(s, ['--device-code']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /WARNING: The code page is on localhost, not on .*127\.0\.0\.1.*phishing/);
        assert.match(r.stderr, /enter the code HOST-ILE1/);
      },
    );
  });

  test("a device verification_uri on the issuer's host: no warning", async () => {
    await withServer({}, async (s) => {
      const r = await connect(s, ['--device-code']);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /WARNING/);
    });
  });

  for (const [issuer, code] of [
    ['javascript:alert(1)', 'PRM_INVALID'],
    ['ftp://127.0.0.1/as', 'INSECURE_TRANSPORT'],
    ['http://metadata.google.internal/computeMetadata/v1', 'INSECURE_TRANSPORT'],
  ] as const) {
    test(`authorization_servers ${issuer.split(':')[0]}: is refused (${code})`, async () => {
      await withServer({ prm: { authorization_servers: [issuer] } }, async (s) => {
        const r = await connect(s);
        assert.equal(r.code, 1);
        assert.match(r.stderr, new RegExp(`\\[${code}\\]`));
      });
    });
  }

  for (const [field, value] of [
    ['token_endpoint', 'http://169.254.169.254/latest/api/token'],
    ['token_endpoint', 'https://user:secret@127.0.0.1/token'],
    ['device_authorization_endpoint', 'file:///etc/shadow'],
    ['registration_endpoint', 'gopher://127.0.0.1:25/'],
  ] as const) {
    test(`${field} ${value.split(':')[0]}: ${value.includes('@') ? 'with credentials ' : ''}is refused before anything calls it`, async () => {
      await withServer({ asMetadata: { [field]: value } }, async (s) => {
        const r = await connect(s);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`${field} is .*\\[UNSAFE_URL\\]`));
        assert.equal(r.opened.length, 0);
        assert.ok(!s.requests.some((q) => q.path.startsWith('/as/token')), 'no token request');
      });
    });
  }

  test('a token endpoint on the cloud metadata address over https is refused at request time', async () => {
    await withServer(
      { asMetadata: { token_endpoint: 'https://169.254.169.254/latest/api/token' } },
      async (s) => {
        const r = await connect(s);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /169\.254\.169\.254 is a link-local address.*\[UNSAFE_URL\]/);
      },
    );
  });

  for (const [name, forged] of [
    ['the cloud metadata address', 'http://169.254.169.254/'],
    ['Entra ID', 'https://login.microsoftonline.com/common/v2.0'],
    ['another https origin', 'https://idp.corp.example'],
  ] as const) {
    test(`a 2025-03-26 metadata document naming ${name} as its issuer is refused (AS_ISSUER_MISMATCH)`, async () => {
      await withServer(
        { noPrm: true, resourceMetadata: null, legacy: { issuer: forged }, challengeScope: 'User.Read' },
        async (s) => {
          const r = await connect(s);
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, /expected "http:\/\/127\.0\.0\.1:\d+".*\[AS_ISSUER_MISMATCH\]/s);
          assert.equal(r.opened.length, 0, 'no browser was opened');
          assert.ok(!s.requests.some((q) => q.path.startsWith('/as/')), 'no authorization server request');
        },
      );
    });
  }

  test('a 2025-03-26 issuer on another loopback origin is refused and never contacted', async () => {
    await withServer({}, async (elsewhere) => {
      await withServer(
        { noPrm: true, resourceMetadata: null, legacy: { issuer: elsewhere.origin } },
        async (s) => {
          const r = await connect(s);
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, /\[AS_ISSUER_MISMATCH\]/);
          assert.deepEqual(elsewhere.requests, [], 'the forged issuer got no request');
          assert.equal(r.opened.length, 0);
        },
      );
    });
  });

  test('a 2025-03-26 server that is its own authorization server still connects', async () => {
    await withServer({ noPrm: true, resourceMetadata: null, legacy: {} }, async (s) => {
      const r = await connect(s);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /no Protected Resource Metadata: 2025-03-26 server/);
      assert.equal(r.opened.length, 1);
    });
  });

  for (const host of ['login.microsoftonline.com', 'login.microsoftonline.us']) {
    test(`authorization server metadata sending sign-in to ${host} under a non-Entra issuer is refused`, async () => {
      await withServer(
        {
          challengeScope: 'User.Read https://management.azure.com/user_impersonation',
          asMetadata: {
            authorization_endpoint: `https://${host}/common/oauth2/v2.0/authorize`,
            token_endpoint: `https://${host}/common/oauth2/v2.0/token`,
          },
        },
        async (s) => {
          const r = await connect(s, ['--no-resource']);
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, /sends its authorization_endpoint to Entra ID.*\[AS_ISSUER_MISMATCH\]/s);
          assert.equal(r.opened.length, 0, 'no Microsoft sign-in page was opened');
        },
      );
    });
  }

  test('a new scope demanded on every request: 1 sign-in + 3 step-ups for the connection, then AUTH_RETRY_LIMIT', async () => {
    await withServer(
      {
        challengeScope: 's0',
        refuse: (n) =>
          n % 2 === 0
            ? { status: 403, challenge: `Bearer error="insufficient_scope", scope="s${n / 2 + 1}"` }
            : undefined,
      },
      async (s) => {
        const r = await connect(s, ['--call', 'steal']);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /after 3 step-ups on this connection.*\[AUTH_RETRY_LIMIT\]/s);
        assert.equal(r.opened.length, 4, 'exactly 4 sign-ins');
        assert.equal(s.requests.filter((q) => q.path === '/as/token').length, 4);
      },
    );
  });

  test('401 on every second request: 1 sign-in + 2 re-authorizations, then AUTH_RETRY_LIMIT', async () => {
    await withServer(
      {
        refuse: (n) => (n % 2 === 0 ? { status: 401, challenge: 'Bearer error="invalid_token"' } : undefined),
      },
      async (s) => {
        const r = await connect(s, ['--call', 'steal']);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /\[AUTH_RETRY_LIMIT\]/);
        assert.equal(r.opened.length, 3, 'exactly 3 sign-ins');
      },
    );
  });

  test('403 insufficient_scope to the first request is the first sign-in: a token line, no step-up', async () => {
    await withServer({ tokenlessStatus: 403, challengeScope: 'mcp:read' }, async (s) => {
      const r = await connect(s);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /✔ token /);
      assert.doesNotMatch(r.stdout, /step-up/);
      assert.equal(r.opened.length, 1);
    });
  });

  test('an unprotected server: NO_CHALLENGE, and no ✔ initialize or tool names before it', async () => {
    await withServer({ unprotected: true, tools: [{ name: 'open-tool' }] }, async (s) => {
      const r = await connect(s);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /\[NO_CHALLENGE\]/);
      assert.match(r.stdout, /✘ probe/);
      assert.doesNotMatch(r.stdout, /✔|open-tool/);
    });
  });

  test('control characters and markup in server name, tool names, errors and output are made printable', async () => {
    const evil = '\u001b]0;pwned\u0007\u001b[2K\u001b[1A✔ token \u202eevil';
    await withServer(
      {
        serverName: `srv${evil}`,
        tools: [{ name: `steal${evil}`, description: '[click](command:workbench.action.terminal.new)' }],
        toolResultText: `line1\n${evil}\r\nline3`,
      },
      async (s) => {
        const r = await connect(s, ['--call', `steal${evil}`]);
        assert.equal(r.code, 0, r.stderr);
        for (const out of [r.stdout, r.stderr]) assert.doesNotMatch(out, UNPRINTABLE, JSON.stringify(out));
        assert.match(r.stdout, /srv\?\]0;pwned\?\?\[2K/);
        assert.match(r.stdout, /line1\n.*\nline3/);
      },
    );
  });
});
