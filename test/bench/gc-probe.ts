export {};
/**
 * Preloaded into bench server processes (`--expose-gc --import ./test/bench/gc-probe.ts`): on the IPC
 * message `memory` it runs a full GC and answers with `process.memoryUsage()`, so the bench can compare
 * RSS and live heap AFTER GC between rounds (heap before GC says little). Bench-only: the production
 * entry points know nothing about it.
 */
const collect = (globalThis as { gc?: () => void }).gc;
process.on('message', (message) => {
  if (message !== 'memory' || !process.send) return;
  collect?.();
  collect?.(); // a second pass collects what the first one's finalisers released
  process.send({ memory: process.memoryUsage(), gcRan: collect !== undefined });
});
// The IPC channel must not keep a server alive after SIGTERM.
process.channel?.unref();
