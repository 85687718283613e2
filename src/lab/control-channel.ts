/**
 * The lab's control channel: JSON lines on the stdin of a lab started by a parent process (the extension),
 * answered with JSON lines on stdout. Only the parent holds that pipe, so registering a forwarded address
 * needs no secret and no listening port. One request kind today:
 *
 *   → {"id": 1, "forward": {"internal": "http://127.0.0.1:7480/", "external": "http://h:8080/proxy/7480/"}}
 *   ← {"id": 1, "ok": true, "forwarded": {"internal": "…", "external": "…"}}
 *   ← {"id": 1, "ok": false, "error": {"code": "BAD_ARGUMENT", "message": "…"}}
 */
import { SherpaError } from '../core/errors';
import type { ForwardedAddress } from '../servers/authz/forwarded-addresses';

/** Longer lines are refused unread: a forward request is a few hundred bytes. */
export const MAX_CONTROL_LINE = 8192;

export interface ControlTarget {
  addForwardedAddress(address: unknown): ForwardedAddress;
}

export type ControlReply =
  | { id: unknown; ok: true; forwarded: ForwardedAddress }
  | { id: unknown; ok: false; error: { code: string; message: string } };

/** Answers one request line; never throws (a bad line gets an error reply). */
export function handleControlLine(line: string, target: ControlTarget): ControlReply {
  let id: unknown = null;
  try {
    if (line.length > MAX_CONTROL_LINE) {
      throw new SherpaError('BAD_ARGUMENT', `control line longer than ${MAX_CONTROL_LINE} bytes`);
    }
    let request: { id?: unknown; forward?: unknown };
    try {
      request = JSON.parse(line) as typeof request;
    } catch {
      throw new SherpaError('BAD_ARGUMENT', 'control line is not JSON');
    }
    if (typeof request !== 'object' || request === null) {
      throw new SherpaError('BAD_ARGUMENT', 'control line must be a JSON object');
    }
    id = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
    if (!('forward' in request)) throw new SherpaError('BAD_ARGUMENT', 'unknown control request');
    return { id, ok: true, forwarded: target.addForwardedAddress(request.forward) };
  } catch (err) {
    const e = err instanceof SherpaError ? err : new SherpaError('BAD_ARGUMENT', String(err));
    return { id, ok: false, error: { code: e.code, message: e.message } };
  }
}
