import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { writeEvidenceBundle } from '../../core/audit/evidence-bundle';
import type { AuditTokens } from '../../core/audit/context';
import type { AuditReport, FindingLevel } from '../../core/audit/findings';
import { formatCombinedReport, summarizeCombined } from '../../core/audit/report-combined';
import { formatReport, summarize, type ReportFormat } from '../../core/audit/report-format';
import {
  auditTargets,
  combinedExitCode,
  DEFAULT_CONCURRENCY,
  type CombinedAuditReport,
} from '../../core/audit/run-targets';
import { readAuditTargets, type AuditTarget } from '../../core/audit/targets';
import { formatError, SherpaError, type SherpaErrorCode } from '../../core/errors';
import { registerSecret } from '../../core/token/redact';
import { normalizeUrl } from '../../core/url';
import { print } from '../output';
import { useProxyFromEnvironment } from '../outbound-proxy';
import { withProgress } from '../progress';

export const auditUsage = `sherpa audit <mcp-url> [--token-command CMD] [--foreign-token-command CMD] [--expired-token-command CMD]
             [--narrow-token-command CMD] [--format text|json|markdown|sarif|junit] [--out FILE] [--fail-on must|should|never]
             [--report FORMAT=FILE]… [--evidence-dir DIR] [--entra-doctor] [--probe-registration] [--evidence] [--sarif-location PATH]
sherpa audit --targets FILE|FOLDER [--concurrency N] [--token-command-for URL=CMD]… (and the options above but the tokens)
  The identity posture of any MCP server, non-destructively (initialize / tools/list and metadata GETs):
  401 and its challenge, Protected Resource Metadata, authorization server metadata, and — with a token you
  hold (CMD prints it) — tampered, unsigned, alg:none, attacker-signed, foreign-Origin/Host, other-resource,
  expired and narrow-scope tokens. --targets: a file with one URL per line (or a JSON array), or a folder
  whose .vscode/mcp.json files name the servers; one combined report, N audits at a time (default ${DEFAULT_CONCURRENCY}), a token
  only to the server whose URL its --token-command-for names. --report writes another format too;
  --evidence-dir keeps every request and response, tokens redacted. Exit 0: nothing at or above --fail-on
  (default must) failed; 1: something did; 2: a server could not be audited (or answered initialize with a 5xx). Every token given is SENT to the
  audited server (that is the test): audit servers you are responsible for, and give --foreign-token-command
  a token of a test resource. --probe-registration WRITES: it registers clients at the authorization server
  (RFC 7591) to test its registration policy; each one is listed in the report and deleted through RFC 7592
  where the server allows. Also predicted: whether VS Code, Claude, Cursor, ChatGPT, the MCP Inspector and
  mcp-remote can sign in.`;

const FORMATS = ['text', 'json', 'markdown', 'sarif', 'junit'] as const;
const LEVELS = ['must', 'should', 'never'] as const;
const isFormat = (f: string): f is ReportFormat => (FORMATS as readonly string[]).includes(f);

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

/** `URL=CMD` pairs; the URL normalised so it matches a target however its trailing slash is written. */
function tokenCommandsFor(pairs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    let url: string | undefined;
    try {
      url = at > 0 ? normalizeUrl(pair.slice(0, at).trim()) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || !pair.slice(at + 1).trim())
      throw new SherpaError('BAD_ARGUMENT', `--token-command-for needs URL=CMD, not "${pair.slice(0, 80)}"`, {
        hint: 'e.g. --token-command-for "https://mcp.example.com/mcp=cat token.txt"',
      });
    out.set(url, pair.slice(at + 1).trim());
  }
  return out;
}

/** The report and extra reports (`--report FORMAT=FILE`), as `[format, file | undefined (stdout)]`. */
function outputs(format: ReportFormat, out: string | undefined, extra: string[]): [ReportFormat, string?][] {
  const list: [ReportFormat, string?][] = [out ? [format, out] : [format]];
  for (const spec of extra) {
    const at = spec.indexOf('=');
    const f = spec.slice(0, at);
    if (at < 1 || !isFormat(f) || !spec.slice(at + 1))
      throw new SherpaError('BAD_ARGUMENT', `--report needs FORMAT=FILE, not "${spec.slice(0, 80)}"`, {
        hint: `FORMAT is one of ${FORMATS.join(', ')}, e.g. --report sarif=audit.sarif`,
      });
    list.push([f, spec.slice(at + 1)]);
  }
  return list;
}

type AuditValues = ReturnType<typeof parseAuditArgs>['values'];

function parseAuditArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'token-command': { type: 'string' },
      'foreign-token-command': { type: 'string' },
      'expired-token-command': { type: 'string' },
      'narrow-token-command': { type: 'string' },
      'token-command-for': { type: 'string', multiple: true, default: [] },
      targets: { type: 'string' },
      concurrency: { type: 'string' },
      format: { type: 'string', default: 'text' },
      out: { type: 'string' },
      report: { type: 'string', multiple: true, default: [] },
      'fail-on': { type: 'string', default: 'must' },
      'entra-doctor': { type: 'boolean', default: false },
      'probe-registration': { type: 'boolean', default: false },
      evidence: { type: 'boolean', default: false },
      'evidence-dir': { type: 'string' },
      'sarif-location': { type: 'string' },
    },
  });
}

const PER_SERVER_TOKENS = [
  'token-command',
  'foreign-token-command',
  'expired-token-command',
  'narrow-token-command',
] as const;

export async function runAuditCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseAuditArgs(argv);
  const format = values.format as ReportFormat;
  const failOn = values['fail-on'] as FindingLevel | 'never';
  const single = positionals[0];
  if (
    (single === undefined) === (values.targets === undefined) ||
    !isFormat(format) ||
    !LEVELS.includes(failOn as (typeof LEVELS)[number]) ||
    // One server's tokens sent to every server in a list would hand them to the others.
    (values.targets !== undefined && PER_SERVER_TOKENS.some((k) => values[k] !== undefined))
  ) {
    process.stderr.write(`${auditUsage}\n`);
    return 2;
  }
  let combined: CombinedAuditReport;
  let reportsTo: [ReportFormat, string?][];
  try {
    reportsTo = outputs(format, values.out, values.report);
    combined = await auditAll(values, single, format);
  } catch (err) {
    return usageFailure(err);
  }
  if (values['evidence-dir']) await writeEvidenceBundle(values['evidence-dir'], combined);
  const only = single ? combined.results[0]! : undefined;
  if (only?.error && !only.report) {
    // The message names the host once; the same sentence `sherpa connect` prints (formatError).
    const { code, message, hint } = only.error;
    process.stderr.write(
      `sherpa audit: ${formatError(new SherpaError(code as SherpaErrorCode, message, hint ? { hint } : {}))}\n`,
    );
    return 2;
  }
  for (const r of combined.results.filter((x) => x.error))
    process.stderr.write(
      r.report
        ? `sherpa audit: ${r.error!.message}\n` // a 5xx: reported, and failing
        : `sherpa audit: could not audit ${r.target.url ?? r.target.name}: ${r.error!.message}\n`,
    );
  await writeReports(values, combined, only?.report, reportsTo);
  return combinedExitCode(combined, failOn);
}

/** The audit of one URL or of every target, each with only its own tokens. */
async function auditAll(
  values: AuditValues,
  single: string | undefined,
  format: ReportFormat,
): Promise<CombinedAuditReport> {
  const targets: AuditTarget[] = values.targets
    ? await readAuditTargets(values.targets)
    : [{ name: single!, url: single!, source: values['sarif-location'] ?? '.vscode/mcp.json' }];
  const forUrl = tokenCommandsFor(values['token-command-for']);
  const singleTokens = single
    ? await Promise.all(PER_SERVER_TOKENS.map((k) => tokenFrom(values[k], `--${k}`)))
    : [];
  // A person at a terminal sees each check as it runs; stdout stays the report alone.
  return withProgress(`auditing ${single ?? values.targets}`, { machine: format !== 'text' }, (line) =>
    auditTargets(targets, {
      ...(values.concurrency !== undefined ? { concurrency: Number(values.concurrency) } : {}),
      evidence: values['evidence-dir'] !== undefined,
      optionsFor: async (t) => {
        // --token-command-for works for one URL too (the Action passes its `token-commands` either way).
        const own = () => tokenFrom(forUrl.get(safeNormalize(t.url!)), `--token-command-for ${t.url}`);
        const [valid, foreign, expired, narrow] = single
          ? [singleTokens[0] ?? (await own()), ...singleTokens.slice(1)]
          : [await own()];
        const tokens: AuditTokens = {
          ...(valid ? { valid } : {}),
          ...(foreign ? { foreign } : {}),
          ...(expired ? { expired } : {}),
          ...(narrow ? { narrow } : {}),
        };
        return {
          tokens,
          onFinding: (f) => line.update(`${f.id}: ${f.status}`),
          entraDoctor: values['entra-doctor'],
          probeRegistration: values['probe-registration'],
          // Behind a proxy the proxy resolves names (outbound-proxy.ts).
          ...(useProxyFromEnvironment() ? { resolveNames: false } : {}),
        };
      },
    }),
  );
}

/** Each requested format to stdout or its file; one URL's report as itself, many as the combined report. */
async function writeReports(
  values: AuditValues,
  combined: CombinedAuditReport,
  one: AuditReport | undefined,
  reportsTo: [ReportFormat, string?][],
): Promise<void> {
  const o = {
    evidence: values.evidence,
    ...(values['sarif-location'] ? { locationUri: values['sarif-location'] } : {}),
  };
  for (const [f, file] of reportsTo) {
    const text = one ? formatReport(one, f, o) : formatCombinedReport(combined, f, o);
    if (!file) print(text);
    else {
      await writeFile(file, text + '\n');
      print(`${one ? summarize(one) : summarizeCombined(combined)} — ${f} report written to ${file}`);
    }
  }
}

function safeNormalize(url: string): string {
  try {
    return normalizeUrl(url);
  } catch {
    return url;
  }
}

function usageFailure(err: unknown): number {
  process.stderr.write(`sherpa audit: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof SherpaError && err.hint) process.stderr.write(`  → ${err.hint}\n`);
  return 2;
}
