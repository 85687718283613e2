/**
 * The lab's control channel: JSON lines on the stdin of a lab started by a parent process (the extension),
 * answered with JSON lines on stdout. Only the parent holds that pipe, so registering a forwarded address
 * needs no secret and no listening port. Two request kinds:
 *
 *   → {"id": 1, "forward": {"internal": "http://127.0.0.1:7480/", "external": "http://h:8080/proxy/7480/"}}
 *   ← {"id": 1, "ok": true, "forwarded": {"internal": "…", "external": "…"}}
 *   → {"id": 2, "proxyPort": 7490}   (Entra mode: the lab proxy may reach 127.0.0.1:7490, a server the
 *                                      parent started next to the lab; no other loopback port is reachable)
 *   ← {"id": 2, "ok": true, "proxyPort": 7490}
 *   ← {"id": 1, "ok": false, "error": {"code": "BAD_ARGUMENT", "message": "…"}}
 */
import { SherpaError } from '../core/errors';
import type { ForwardedAddress } from '../servers/authz/forwarded-addresses';

/** Longer lines are refused unread: a forward request is a few hundred bytes. */
export const MAX_CONTROL_LINE = 8192;

/**
 * Splits the control pipe into lines without ever holding more than MAX_CONTROL_LINE bytes of one: past
 * that, the rest of the line is discarded as it arrives (up to the next newline) and reported once as
 * oversized. node's readline would buffer a line of any length before anyone could check it.
 */
export class ControlLineReader {
  private parts: Buffer[] = [];
  private held = 0;
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOversized: () => void,
  ) {}

  /** Bytes of the current, unfinished line kept in memory (at most MAX_CONTROL_LINE). */
  get bufferedBytes(): number {
    return this.held;
  }

  /** Feeds one chunk from the pipe; complete lines are handed on in order. */
  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.discarding) this.keep(chunk.subarray(start, end));
      if (nl === -1) return;
      this.finishLine();
      start = nl + 1;
    }
  }

  private keep(piece: Buffer): void {
    if (this.held + piece.length > MAX_CONTROL_LINE) {
      this.parts = [];
      this.held = 0;
      this.discarding = true;
      this.onOversized();
      return;
    }
    if (piece.length) {
      // A copy: holding a slice would pin the whole (possibly large) chunk it came from.
      this.parts.push(Buffer.from(piece));
      this.held += piece.length;
    }
  }

  private finishLine(): void {
    const line = this.discarding ? undefined : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.held = 0;
    this.discarding = false;
    if (line !== undefined) this.onLine(line.replace(/\r$/, ''));
  }
}

/** The reply to a line that was too long to read (its id was never seen). */
export function oversizedLineReply(): ControlReply {
  return {
    id: null,
    ok: false,
    error: { code: 'BAD_ARGUMENT', message: `control line longer than ${MAX_CONTROL_LINE} bytes` },
  };
}

export interface ControlTarget {
  addForwardedAddress(address: unknown): ForwardedAddress;
  allowProxyPort(port: unknown): number;
}

export type ControlReply =
  | { id: unknown; ok: true; forwarded: ForwardedAddress }
  | { id: unknown; ok: true; proxyPort: number }
  | { id: unknown; ok: false; error: { code: string; message: string } };

/** Answers one request line; never throws (a bad line gets an error reply). */
export function handleControlLine(line: string, target: ControlTarget): ControlReply {
  let id: unknown = null;
  try {
    if (line.length > MAX_CONTROL_LINE) {
      throw new SherpaError('BAD_ARGUMENT', `control line longer than ${MAX_CONTROL_LINE} bytes`);
    }
    let request: { id?: unknown; forward?: unknown; proxyPort?: unknown };
    try {
      request = JSON.parse(line) as typeof request;
    } catch {
      throw new SherpaError('BAD_ARGUMENT', 'control line is not JSON');
    }
    if (typeof request !== 'object' || request === null) {
      throw new SherpaError('BAD_ARGUMENT', 'control line must be a JSON object');
    }
    id = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
    if ('proxyPort' in request) {
      return { id, ok: true, proxyPort: target.allowProxyPort(request.proxyPort) };
    }
    if (!('forward' in request)) throw new SherpaError('BAD_ARGUMENT', 'unknown control request');
    return { id, ok: true, forwarded: target.addForwardedAddress(request.forward) };
  } catch (err) {
    const e = err instanceof SherpaError ? err : new SherpaError('BAD_ARGUMENT', String(err));
    return { id, ok: false, error: { code: e.code, message: e.message } };
  }
}
