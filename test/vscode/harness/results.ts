/**
 * The suite's counts as the runners report them: test/vscode/suite/index.ts writes them to the file named
 * by SHERPA_VSCODE_RESULTS when mocha finishes; the runner prints them as the last line
 * (`N passed, N failed, N skipped`), which is what scripts/test.mjs reads.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Prints the suite's own counts as the last line; a missing or unreadable file is a failure. */
export function reportCounts(resultsFile: string, code: number): number {
  if (!existsSync(resultsFile)) {
    process.stderr.write(`the suite wrote no results (${resultsFile}): it did not run to the end\n`);
    return code === 0 ? 1 : code;
  }
  const r = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
    passed: number;
    failed: number;
    pending: number;
  };
  process.stdout.write(`${r.passed} passed, ${r.failed} failed, ${r.pending} skipped\n`);
  return code === 0 && r.failed > 0 ? 1 : code;
}
