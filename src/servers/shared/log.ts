import { redact } from '../../core/token/redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A one-line-per-event logger for the servers. Every line passes through `redact`, so a token that slips
 * into a message or a field is masked before it is written. Level from SHERPA_LOG_LEVEL (default info);
 * `silent` turns it off (the lab's --json mode keeps stdout for its one JSON line, logs go to stderr).
 */
export function createLogger(component: string, level = process.env.SHERPA_LOG_LEVEL ?? 'info'): Logger {
  const min = level === 'silent' ? Infinity : (ORDER[level as LogLevel] ?? ORDER.info);
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
    process.stderr.write(
      redact(`${new Date().toISOString()} ${lvl.padEnd(5)} [${component}] ${msg}${extra}`) + '\n',
    );
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/**
 * Logs an event of a kind at most once per `windowMs`, then reports how many of that kind were left out.
 * Rejected requests are worth seeing, but forged-token traffic must not turn into unbounded log volume
 * (the benchmark pushes ~9,000 rejections a second through one server).
 */
export function createSampledLog(
  write: (msg: string, fields: Record<string, unknown>) => void,
  windowMs = 10_000,
): (kind: string, msg: string, fields?: Record<string, unknown>) => void {
  const windows = new Map<string, { until: number; suppressed: number }>();
  return (kind, msg, fields = {}) => {
    const now = Date.now();
    const w = windows.get(kind);
    if (w && now < w.until) {
      w.suppressed++;
      return;
    }
    windows.set(kind, { until: now + windowMs, suppressed: 0 });
    write(msg, w?.suppressed ? { ...fields, suppressedSinceLast: w.suppressed } : fields);
  };
}
