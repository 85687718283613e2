/**
 * Writes an evidence bundle (`--evidence-dir DIR`):
 *
 *   DIR/index.json                 every server, and for each finding the exchanges that decided it
 *   DIR/NN-<server>/xNNN.json      one exchange each: request (method, URL, headers, body), response
 *                                  (status, headers, body), a curl line to send it again — redacted
 *
 * The exchanges were redacted as they were recorded (evidence.ts); nothing here sees a secret. Files are
 * private to the person (0600 in a 0700 folder): redacted, they still describe the server in detail.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CombinedAuditReport } from './run-targets';

export interface EvidenceIndex {
  tool: 'sherpa';
  startedAt: string;
  /** How the bundle is redacted, for the reader. */
  redaction: string;
  targets: {
    name: string;
    url?: string;
    source: string;
    status: 'audited' | 'error' | 'skipped';
    folder?: string;
    error?: string;
    findings?: { finding: string; status: string; exchanges: string[] }[];
    exchanges?: { id: string; file: string; request: string; status?: number; error?: string }[];
  }[];
}

const slug = (s: string) =>
  s
    .replace(/^https?:\/\//, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'server';

/** Writes the bundle for `c` (its results carry their recorders) into `dir`; returns the index. */
export async function writeEvidenceBundle(dir: string, c: CombinedAuditReport): Promise<EvidenceIndex> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const index: EvidenceIndex = {
    tool: 'sherpa',
    startedAt: c.startedAt,
    redaction:
      'Authorization, Proxy-Authorization, Cookie and Set-Cookie values, OAuth secrets in URLs, forms and JSON (tokens, client secrets, authorization codes), every JWT, and the tokens given are replaced by <redacted>; bodies are cut at 8192 characters.',
    targets: [],
  };
  let n = 0;
  for (const r of c.results) {
    const base = {
      name: r.target.name,
      ...(r.target.url ? { url: r.target.url } : {}),
      source: r.target.source,
      status: r.error ? ('error' as const) : r.report ? ('audited' as const) : ('skipped' as const),
      ...(r.error ? { error: r.error.message } : {}),
    };
    if (!r.recorder) {
      index.targets.push(base);
      continue;
    }
    const folder = `${String(++n).padStart(2, '0')}-${slug(r.target.url ?? r.target.name)}`;
    await mkdir(join(dir, folder), { recursive: true, mode: 0o700 });
    const exchanges = r.recorder.exchanges();
    for (const x of exchanges)
      await writeFile(join(dir, folder, `${x.id}.json`), JSON.stringify(x, null, 2) + '\n', { mode: 0o600 });
    index.targets.push({
      ...base,
      folder,
      findings: r.recorder.findings(),
      exchanges: exchanges.map((x) => ({
        id: x.id,
        file: `${folder}/${x.id}.json`,
        request: `${x.request.method} ${x.request.url}`,
        ...(x.response ? { status: x.response.status } : {}),
        ...(x.error ? { error: x.error } : {}),
      })),
    });
  }
  await writeFile(join(dir, 'index.json'), JSON.stringify(index, null, 2) + '\n', { mode: 0o600 });
  return index;
}
