/** Resident set size of another process, from Linux procfs (proc(5): /proc/<pid>/status VmRSS). */
import { readFile } from 'node:fs/promises';

/** VmRSS of `pid` in MiB, or NaN where procfs is not available. */
export async function readRssMiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}
