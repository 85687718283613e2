import type { IncomingMessage } from 'node:http';

/** Why a request body could not be used; each maps to one 4xx in `bodyErrorStatus`. */
export type BodyErrorCode =
  'payload_too_large' | 'unsupported_encoding' | 'unsupported_charset' | 'invalid_utf8';

export class BodyError extends Error {
  constructor(
    readonly code: BodyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/** RFC 9110 §15.5.14 (413), §15.5.16 (415: Content-Encoding or charset we do not accept), else 400. */
export function bodyErrorStatus(code: BodyErrorCode): number {
  if (code === 'payload_too_large') return 413;
  if (code === 'invalid_utf8') return 400;
  return 415;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a request body as UTF-8 text, bounded by `limitBytes`. MCP messages are UTF-8 JSON (RFC 8259 §8.1)
 * and MCP clients do not compress requests, so anything but `identity` in Content-Encoding (RFC 9110
 * §8.4) and any charset but UTF-8 is refused with a reason instead of being guessed at; bytes that are not
 * UTF-8 are refused too. A Content-Length above the limit is refused before a byte is read. Resolves
 * `undefined` when the client went away mid-body (there is nobody to answer).
 */
export function readBodyText(req: IncomingMessage, limitBytes: number): Promise<string | undefined> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '')
    return Promise.reject(
      new BodyError('unsupported_encoding', `Content-Encoding '${encoding}' is not accepted`),
    );
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i
    .exec(req.headers['content-type'] ?? '')?.[1]
    ?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    return Promise.reject(
      new BodyError('unsupported_charset', `charset '${charset}' is not accepted (UTF-8 only)`),
    );
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes)
    return Promise.reject(new BodyError('payload_too_large', `body larger than ${limitBytes} bytes`));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('aborted', onGone);
      fn();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        // Stop buffering; node discards the rest of the body once the 413 has been sent.
        return finish(() =>
          reject(new BodyError('payload_too_large', `body larger than ${limitBytes} bytes`)),
        );
      }
      chunks.push(chunk);
    };
    const onEnd = () =>
      finish(() => {
        try {
          resolve(utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
        } catch {
          reject(new BodyError('invalid_utf8', 'body is not valid UTF-8'));
        }
      });
    const onGone = () => finish(() => resolve(undefined));
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('aborted', onGone);
  });
}
