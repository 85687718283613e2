/**
 * Starts and stops the local lab (`sherpa lab --json`) as a child process of the extension host, with the
 * host's own Node (`process.execPath`; ELECTRON_RUN_AS_NODE makes desktop Electron behave as Node). The
 * lab bundle ships in the VSIX (dist/sherpa.mjs), so no global install is needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';
import { SherpaError } from '../../core/errors';
import { ExtensionError } from '../errors';
import type { ControlReply } from '../../lab/control-channel';
import type { LabInfo } from '../../lab/lab';
import type { ForwardedAddress } from '../../servers/authz/forwarded-addresses';
import type { SherpaLog } from '../output-log';

export type LabState = 'stopped' | 'starting' | 'running' | 'stopping';

export interface LabPortsOption {
  authorizationServer: number;
  vulnerable: number;
  secure: number;
}

export interface LabControllerOptions {
  /** Absolute path of dist/sherpa.mjs. */
  cliPath: string;
  /** Where the lab keeps its signing keys and secret store (the extension's global storage). */
  dataDir: string;
  startTimeoutMs?: number;
}

export class LabController implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private current: LabInfo | undefined;
  private stateValue: LabState = 'stopped';
  private starting: Promise<LabInfo> | undefined;
  private readonly changed = new vscode.EventEmitter<LabState>();
  /** Control-channel requests waiting for the lab's reply, by id. */
  private readonly pending = new Map<number, (reply: ControlReply) => void>();
  private nextId = 1;
  readonly onDidChangeState = this.changed.event;

  constructor(
    private readonly log: SherpaLog,
    private readonly options: LabControllerOptions,
  ) {}

  get state(): LabState {
    return this.stateValue;
  }

  /** The running lab's URLs, or undefined when it is not running. */
  get info(): LabInfo | undefined {
    return this.current;
  }

  /** Starts the lab (or returns the running one). Errors: LAB_START_FAILED with a hint. */
  start(ports: LabPortsOption): Promise<LabInfo> {
    if (this.current) return Promise.resolve(this.current);
    this.starting ??= this.spawnLab(ports).finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Stops the lab: closes its stdin (it shuts down cleanly), SIGTERM after 3 s, SIGKILL after 6 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.setState('stopping');
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.stdin?.end();
    const term = setTimeout(() => child.kill('SIGTERM'), 3000);
    const kill = setTimeout(() => child.kill('SIGKILL'), 6000);
    await exited;
    clearTimeout(term);
    clearTimeout(kill);
  }

  /**
   * Tells the running lab where a remote browser reaches one of its loopback ports (its sign-in pages, or
   * a sign-in's loopback receiver), over the lab's stdin (src/lab/control-channel.ts). Errors:
   * LAB_NOT_RUNNING, LAB_START_FAILED (no reply in 5 s), BAD_ARGUMENT (the lab refused the address).
   */
  async forward(address: ForwardedAddress): Promise<ForwardedAddress> {
    const stdin = this.child?.stdin;
    if (!this.current || !stdin) {
      throw new ExtensionError('LAB_NOT_RUNNING', 'The local lab is not running', {
        hint: 'Start it with "Sherpa Lab: Start Local Lab".',
      });
    }
    const id = this.nextId++;
    const reply = await new Promise<ControlReply | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, 5000);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      stdin.write(JSON.stringify({ id, forward: address }) + '\n');
    });
    if (!reply) throw new ExtensionError('LAB_START_FAILED', 'The local lab did not answer within 5 s');
    if (!reply.ok)
      throw new SherpaError('BAD_ARGUMENT', `The lab refused ${address.external}: ${reply.error.message}`);
    if (!('forwarded' in reply)) {
      throw new ExtensionError('LAB_START_FAILED', 'The local lab answered another request');
    }
    this.log.info(
      `The lab accepts the forwarded address ${reply.forwarded.external} for ${reply.forwarded.internal}`,
    );
    return reply.forwarded;
  }

  private onControlReply(line: string): void {
    try {
      const reply = JSON.parse(line) as ControlReply;
      const settle = typeof reply.id === 'number' ? this.pending.get(reply.id) : undefined;
      if (settle && typeof reply.id === 'number') {
        this.pending.delete(reply.id);
        settle(reply);
      }
    } catch {
      this.log.warn(`The lab printed a line that is not a control reply: ${line.slice(0, 200)}`);
    }
  }

  private spawnLab(ports: LabPortsOption): Promise<LabInfo> {
    this.setState('starting');
    const args = [
      this.options.cliPath,
      'lab',
      '--json',
      '--data-dir',
      this.options.dataDir,
      '--as-port',
      String(ports.authorizationServer),
      '--vulnerable-port',
      String(ports.vulnerable),
      '--secure-port',
      String(ports.secure),
    ];
    this.log.info(`Starting the local lab: ${process.execPath} ${args.join(' ')}`);
    const child = spawn(process.execPath, args, {
      env: {
        ...process.env,
        ELECTRON_RUN_AS_NODE: '1',
        SHERPA_LAB_STOP_ON_STDIN_END: '1',
        SHERPA_LOG_LEVEL: 'info',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    let stderrTail = '';
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderrTail = (stderrTail + line + '\n').slice(-4000);
      this.log.info(`[lab] ${line}`);
    });

    return new Promise<LabInfo>((resolve, reject) => {
      const fail = (message: string, cause?: unknown) => {
        clearTimeout(timer);
        const inUse = /EADDRINUSE|\[PORT_IN_USE\]/.test(stderrTail);
        reject(
          new ExtensionError('LAB_START_FAILED', message, {
            cause,
            hint: inUse
              ? 'A lab port is already in use — maybe a lab is already running (`npm run lab`). Stop it, or set the sherpa.lab.*Port settings to other ports (0 = any free port).'
              : "See the Sherpa output channel for the lab's log (Sherpa: Show Log).",
            details: { stderr: stderrTail },
          }),
        );
      };
      const timer = setTimeout(() => {
        fail(`The local lab did not report ready within ${(this.options.startTimeoutMs ?? 30000) / 1000} s`);
        child.kill('SIGTERM');
      }, this.options.startTimeoutMs ?? 30000);

      const stdout = createInterface({ input: child.stdout! });
      stdout.once('line', (line) => {
        clearTimeout(timer);
        stdout.on('line', (reply) => this.onControlReply(reply));
        try {
          const info = JSON.parse(line) as LabInfo;
          this.current = info;
          this.setState('running');
          this.log.info(
            `Local lab running: issuer ${info.issuer}, vulnerable ${info.vulnerable}, secure ${info.secure}`,
          );
          resolve(info);
        } catch (err) {
          fail(`The local lab printed something that is not its JSON line: ${line.slice(0, 200)}`, err);
        }
      });
      child.once('error', (err) => fail(`Could not start the local lab: ${err.message}`, err));
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        const wasRunning = this.current !== undefined;
        this.current = undefined;
        this.setState('stopped');
        this.log.info(`Local lab exited (${signal ?? `code ${code}`})`);
        if (!wasRunning) fail(`The local lab exited before it was ready (${signal ?? `code ${code}`})`);
      });
    });
  }

  private setState(state: LabState): void {
    this.stateValue = state;
    this.changed.fire(state);
  }

  dispose(): void {
    // Deactivation: the child must not outlive the extension host.
    void this.stop();
    this.changed.dispose();
  }
}
