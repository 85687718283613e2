import { parseArgs } from 'node:util';
import { LAB_DEFAULT_PORTS } from '../../servers/shared/lab-defaults';
import {
  auditLabServers,
  demonstrateLeastPrivilege,
  LAB_STATIC_TOKEN,
  tryToken,
  validateSecureConnect,
} from '../demo-steps';
import { bold, print, printOutcome, printStep } from '../output';
import { runExploitSteps } from './exploit';

export const storyUsage = `sherpa story [--keep-running] [--data-dir DIR] [--ephemeral-ports]   (npm start)
  Starts the lab and walks vulnerable → exploit → fix → validate with PASS/FAIL; exit 0 iff all as expected.`;

export async function runStoryCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'keep-running': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      'ephemeral-ports': { type: 'boolean', default: false },
    },
  });
  const ports = values['ephemeral-ports']
    ? { authorizationServer: 0, vulnerable: 0, secure: 0 }
    : LAB_DEFAULT_PORTS;
  // The story prints what matters; server logs (still redacted) only from warnings up unless asked.
  process.env.SHERPA_LOG_LEVEL ??= 'warn';
  // Loaded here, not at the top: `sherpa --help` must not load the authorization server (oidc-provider).
  const { startLab } = await import('../../lab/lab');
  const lab = await startLab({ ports, dataDir: values['data-dir'] ?? '.lab' });
  let passed = 0;
  let total = 0;
  const count = (ok: boolean) => {
    total++;
    if (ok) passed++;
  };
  try {
    print(
      bold(`Lab running: issuer ${lab.issuer}\n  vulnerable ${lab.vulnerable}\n  secure     ${lab.secure}\n`),
    );

    print(bold('1. The vulnerable server: one static token for everyone'));
    const none = await tryToken(lab.vulnerable, undefined);
    count(printOutcome('1.1', 'no token → refused', !none.accepted, none.text));
    const stat = await tryToken(lab.vulnerable, LAB_STATIC_TOKEN);
    count(printOutcome('1.2', 'the static token from the README → accepted', stat.accepted, stat.text));

    print(bold('\n2. Exploit it'));
    const ex = await runExploitSteps(lab);
    passed += ex.passed;
    total += ex.total;

    print(bold('\n3. The fix: OAuth 2.1 resource server (PRM, audience, signature, expiry)'));
    const probe = await tryToken(lab.secure, undefined);
    count(
      printOutcome(
        '3.1',
        'secure server without a token → 401 with a challenge',
        /401/.test(probe.text),
        probe.text,
      ),
    );
    const stat2 = await tryToken(lab.secure, LAB_STATIC_TOKEN);
    count(printOutcome('3.2', 'secure server refuses the static token', !stat2.accepted, stat2.text));

    print(bold('\n4. Validate: a real client connects the right way'));
    for (const user of ['alice', 'bob']) {
      const v = await validateSecureConnect(lab, user, printStep);
      count(
        printOutcome(
          `4.${user === 'alice' ? 1 : 2}`,
          `${user} connects: 401 → PRM → AS → PKCE → MCP`,
          v.ok,
          v.observed,
        ),
      );
    }

    print(bold('\n5. Least privilege: who may read what, and secrets that never leave the server'));
    let n = 0;
    for (const o of await demonstrateLeastPrivilege(lab))
      count(printOutcome(`5.${++n}`, o.title, o.ok, o.observed));

    print(bold('\n6. Audit both servers (the checks of `sherpa audit`, OWASP MCP Top 10)'));
    n = 0;
    for (const o of await auditLabServers(lab)) count(printOutcome(`6.${++n}`, o.title, o.ok, o.observed));
  } catch (err) {
    count(false);
    throw err;
  } finally {
    print(`\n${passed}/${total} outcomes as expected`);
    if (values['keep-running']) {
      print('Lab keeps running (Ctrl-C to stop).');
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
    }
    await lab.close();
  }
  return passed === total ? 0 : 1;
}
