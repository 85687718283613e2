/**
 * CPU time another process has used, from Linux procfs (proc(5): /proc/<pid>/stat fields 14 utime and
 * 15 stime, in clock ticks, all threads — libuv's thread pool, where WebCrypto verifies, included).
 * Server CPU per request is what the bench compares when neighbours on a shared machine make wall-clock
 * throughput swing: it does not count the time the server spent waiting for a core.
 */
import { readFile } from 'node:fs/promises';

/** Linux's USER_HZ; procfs reports ticks in it regardless of the kernel's own HZ. */
const TICKS_PER_SECOND = 100;

/** utime + stime of `pid` in µs (10 ms resolution), or NaN where procfs is not available. */
export async function readCpuMicros(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: split after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks / TICKS_PER_SECOND) * 1e6;
  } catch {
    return NaN;
  }
}
