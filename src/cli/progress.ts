/**
 * A progress line for the CLI's long waits (the sign-in, an audit, Azure verify and provision's
 * preflight, the lab starting): one line on stderr, redrawn in place with what is happening and the time
 * so far, erased when the wait ends — so stdout stays exactly the command's output.
 *
 * Only for a person at a terminal: stderr must be a TTY, and nothing is drawn with --json (or another
 * machine format), with NO_COLOR-style opt-out `SHERPA_NO_PROGRESS=1`, or under CI. Otherwise every
 * call is a no-op and not one byte reaches stderr.
 */
import { toTerminalLine } from '../core/untrusted-text';

export interface ProgressLine {
  /** Replaces what the line says (text from a server is made printable). */
  update(text: string): void;
  /** Erases the line; what follows prints on a clean line. */
  stop(): void;
  /** Whether anything is drawn (false: every call is a no-op). */
  readonly active: boolean;
}

export interface ProgressOptions {
  /** A machine format was asked for (--json, --format json|sarif|junit|markdown): draw nothing. */
  machine?: boolean;
  /** Default process.stderr. */
  stream?: Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'>;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Redraw interval (the elapsed seconds tick); default 250 ms. */
  intervalMs?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
// ECMA-48: CR, then EL (erase the whole line).
const CLEAR = '\r\u001b[2K';

const NOTHING: ProgressLine = { update: () => undefined, stop: () => undefined, active: false };

/** True when a progress line may be drawn on `stream`. */
export function progressAllowed(o: ProgressOptions = {}): boolean {
  const stream = o.stream ?? process.stderr;
  const env = o.env ?? process.env;
  return (
    !o.machine && stream.isTTY === true && !env.CI && env.SHERPA_NO_PROGRESS !== '1' && env.TERM !== 'dumb'
  );
}

/** Starts a progress line saying `label`; see the module comment for when it draws nothing. */
export function startProgress(label: string, o: ProgressOptions = {}): ProgressLine {
  if (!progressAllowed(o)) return NOTHING;
  const stream = o.stream ?? process.stderr;
  const started = Date.now();
  let frame = 0;
  let detail = '';
  let stopped = false;
  const draw = () => {
    const seconds = Math.floor((Date.now() - started) / 1000);
    const text = `${FRAMES[frame++ % FRAMES.length]} ${label}${detail ? ` — ${detail}` : ''} (${seconds} s)`;
    // One line only: a line longer than the terminal would wrap, and CR would then redraw just its tail.
    // A terminal that does not say its width (0, as under script(1)) gets 80.
    const width = Math.max(20, (stream.columns || 80) - 1);
    stream.write(`${CLEAR}${[...text].slice(0, width).join('')}`);
  };
  const timer = setInterval(draw, o.intervalMs ?? 250);
  timer.unref();
  draw();
  return {
    active: true,
    update(text: string) {
      if (stopped) return;
      detail = toTerminalLine(text, 200);
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stream.write(CLEAR);
    },
  };
}

/** Runs `work` with a progress line, erased when it settles either way. */
export async function withProgress<T>(
  label: string,
  o: ProgressOptions,
  work: (line: ProgressLine) => Promise<T>,
): Promise<T> {
  const line = startProgress(label, o);
  try {
    return await work(line);
  } finally {
    line.stop();
  }
}
