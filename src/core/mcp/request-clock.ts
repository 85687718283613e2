/**
 * The MCP request clock: how long one MCP request (initialize, tools/list, tools/call) may take, measured
 * only while nobody is waiting for a person. The authorization engine runs *inside* an MCP request (the
 * 401 arrives on `initialize`, the token is obtained, the request is resent), so a plain per-request
 * timeout would run while the person reads VS Code's consent dialog and types a password — and fail
 * anyone slower than the timeout (issue 20). The engine holds the clock while it authorizes; every
 * running deadline stops, and starts again in full when the authorization ends, because the request is
 * only then resent. The person's own time is bounded by the sign-in budget instead (sign-in-budget.ts).
 */
import { SherpaError } from '../errors';

/** Default time an MCP server has to answer one request. */
export const DEFAULT_MCP_REQUEST_TIMEOUT_MS = 15_000;

interface Deadline {
  start(): void;
  stop(): void;
}

export class RequestClock {
  #holds = 0;
  readonly #deadlines = new Set<Deadline>();

  constructor(readonly timeoutMs: number = DEFAULT_MCP_REQUEST_TIMEOUT_MS) {}

  /** True while some work holds the clock (a sign-in is under way). */
  get held(): boolean {
    return this.#holds > 0;
  }

  /** Runs `work` with every deadline stopped; they restart, in full, once no work holds the clock. */
  async whileHeld<T>(work: () => Promise<T>): Promise<T> {
    if (this.#holds++ === 0) for (const d of this.#deadlines) d.stop();
    try {
      return await work();
    } finally {
      if (--this.#holds === 0) for (const d of this.#deadlines) d.start();
    }
  }

  /**
   * Calls `onTimeout` once `timeoutMs` have passed without the clock being held; the function returned
   * cancels it (call it when the request settles).
   */
  deadline(onTimeout: () => void): () => void {
    let timer: NodeJS.Timeout | undefined;
    const d: Deadline = {
      start: () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.#deadlines.delete(d);
          onTimeout();
        }, this.timeoutMs);
      },
      stop: () => clearTimeout(timer),
    };
    this.#deadlines.add(d);
    if (!this.held) d.start();
    return () => {
      clearTimeout(timer);
      this.#deadlines.delete(d);
    };
  }

  /** The error a request that ran out of time fails with. */
  timeoutError(url: string, what: string): SherpaError {
    return new SherpaError('MCP_TIMEOUT', `${url} did not answer ${what} within ${this.timeoutMs / 1000} s`, {
      hint: 'The MCP server accepted the request but sent no answer in time: check that it is running and not overloaded.',
      details: { timeoutMs: this.timeoutMs, request: what },
    });
  }
}
