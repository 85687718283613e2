import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { auditServer } from '../../core/audit/run-audit';
import { failsAt, type FindingLevel } from '../../core/audit/findings';
import { formatReport, summarize, type ReportFormat } from '../../core/audit/report-format';
import { formatError, SherpaError } from '../../core/errors';
import { registerSecret } from '../../core/token/redact';
import { print } from '../output';
import { useProxyFromEnvironment } from '../outbound-proxy';
import { withProgress } from '../progress';

export const auditUsage = `sherpa audit <mcp-url> [--token-command CMD] [--foreign-token-command CMD] [--expired-token-command CMD]
             [--narrow-token-command CMD] [--format text|json|markdown|sarif|junit] [--out FILE] [--fail-on must|should|never]
             [--entra-doctor] [--evidence] [--sarif-location PATH]
  The identity posture of any MCP server, non-destructively (initialize / tools/list and metadata GETs):
  401 and its challenge, Protected Resource Metadata, authorization server metadata, and — with a token you
  hold (CMD prints it) — tampered, unsigned, alg:none, attacker-signed, foreign-Origin/Host, other-resource,
  expired and narrow-scope tokens. Exit 0: nothing at or above --fail-on (default must) failed; 1: something
  did; 2: the server could not be audited. Every token given is SENT to the audited server (that is the test):
  audit servers you are responsible for, and give --foreign-token-command a token of a test resource.`;

const FORMATS = ['text', 'json', 'markdown', 'sarif', 'junit'] as const;
const LEVELS = ['must', 'should', 'never'] as const;

/** Runs a person's own token helper (like git's credential helpers) and returns what it printed. */
function tokenFrom(command: string | undefined, option: string): Promise<string | undefined> {
  if (!command) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { timeout: 120_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      const token = stdout.trim().split('\n').at(-1)?.trim();
      if (err || !token) {
        reject(
          new SherpaError(
            'BAD_ARGUMENT',
            `${option} did not print a token${err ? ` (${err.message.split('\n')[0]})` : ''}`,
            {
              hint: `The command must print the access token on its last line of stdout, e.g. --token-command "sherpa token --user alice".`,
            },
          ),
        );
        return;
      }
      registerSecret(token);
      resolve(token);
    });
  });
}

export async function runAuditCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'token-command': { type: 'string' },
      'foreign-token-command': { type: 'string' },
      'expired-token-command': { type: 'string' },
      'narrow-token-command': { type: 'string' },
      format: { type: 'string', default: 'text' },
      out: { type: 'string' },
      'fail-on': { type: 'string', default: 'must' },
      'entra-doctor': { type: 'boolean', default: false },
      evidence: { type: 'boolean', default: false },
      'sarif-location': { type: 'string' },
    },
  });
  const target = positionals[0];
  const format = values.format as ReportFormat;
  const failOn = values['fail-on'] as FindingLevel | 'never';
  if (
    !target ||
    !FORMATS.includes(format as (typeof FORMATS)[number]) ||
    !LEVELS.includes(failOn as (typeof LEVELS)[number])
  ) {
    process.stderr.write(`${auditUsage}\n`);
    return 2;
  }
  let report;
  try {
    const [valid, foreign, expired, narrow] = await Promise.all([
      tokenFrom(values['token-command'], '--token-command'),
      tokenFrom(values['foreign-token-command'], '--foreign-token-command'),
      tokenFrom(values['expired-token-command'], '--expired-token-command'),
      tokenFrom(values['narrow-token-command'], '--narrow-token-command'),
    ]);
    // A person at a terminal sees each check as it runs; stdout stays the report alone.
    report = await withProgress(`auditing ${target}`, { machine: format !== 'text' }, (line) =>
      auditServer(target, {
        onFinding: (f) => line.update(`${f.id}: ${f.status}`),
        tokens: {
          ...(valid ? { valid } : {}),
          ...(foreign ? { foreign } : {}),
          ...(expired ? { expired } : {}),
          ...(narrow ? { narrow } : {}),
        },
        entraDoctor: values['entra-doctor'],
        // Behind a proxy the proxy resolves names (outbound-proxy.ts).
        ...(useProxyFromEnvironment() ? { resolveNames: false } : {}),
      }),
    );
  } catch (err) {
    // The message names the host once; the same sentence `sherpa connect` prints (formatError).
    process.stderr.write(`sherpa audit: ${formatError(err)}\n`);
    return 2;
  }
  const text = formatReport(report, format, {
    evidence: values.evidence,
    ...(values['sarif-location'] ? { locationUri: values['sarif-location'] } : {}),
  });
  if (values.out) {
    await writeFile(values.out, text + '\n');
    print(`${summarize(report)} — ${format} report written to ${values.out}`);
  } else {
    print(text);
  }
  return failsAt(report, failOn) ? 1 : 0;
}
