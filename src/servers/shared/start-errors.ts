/**
 * Why a server could not start, as SherpaErrors with stable codes (core/errors.ts) — one vocabulary for the
 * three servers, the lab and `sherpa serve`: a setting that is missing or malformed (named, with what to
 * put there), options a caller got wrong, a port that is taken, key files that cannot be used, an issuer
 * whose metadata is unusable. Request-time failures are not here: each server maps those to HTTP in one
 * place (secure/auth/errors.ts, shared/mcp-app.ts).
 */
import { SherpaError } from '../../core/errors';

/** An environment variable that is not set: names it and says what it should hold. */
export function settingMissing(name: string, how: string): SherpaError {
  return new SherpaError('SETTING_MISSING', `${name} is not set: ${how}.`, {
    hint: `Set ${name} in the server's environment (\`sherpa serve --help\` lists every setting).`,
    details: { setting: name },
  });
}

/** An environment variable whose value cannot be used: names it and the value. */
export function settingInvalid(name: string, how: string): SherpaError {
  return new SherpaError('SETTING_INVALID', `${name} is invalid: ${how}.`, { details: { setting: name } });
}

/** Options passed in code that cannot describe a working server (a programming error of the caller). */
export function optionsInvalid(what: string): SherpaError {
  return new SherpaError('SERVER_OPTIONS_INVALID', what);
}

/**
 * A listen error, made readable: EADDRINUSE → PORT_IN_USE naming host:port, EACCES → PORT_NOT_ALLOWED
 * (a port below 1024 without the right). Anything else is returned unchanged.
 */
export function explainListenError(err: unknown, host: string, port: number, hint?: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') {
    return new SherpaError('PORT_IN_USE', `Port ${port} on ${host} is already in use`, {
      hint:
        hint ?? 'Another program is listening there: stop it, or choose another port (0 = any free port).',
      cause: err,
      details: { host, port },
    });
  }
  if (e?.code === 'EACCES') {
    return new SherpaError('PORT_NOT_ALLOWED', `Not allowed to listen on port ${port} of ${host}`, {
      hint: 'Ports below 1024 need extra rights; choose a port of 1024 or above.',
      cause: err,
      details: { host, port },
    });
  }
  return err;
}
