/**
 * Where the person's browser is, and the addresses it must use. When VS Code's extension host is remote
 * (`vscode.env.remoteName`: code-server, Codespaces, Remote-SSH, WSL, Dev Containers) or VS Code runs in a
 * browser (`UIKind.Web`), http://127.0.0.1 of the extension host is not the browser's 127.0.0.1: every
 * address the browser must reach goes through `vscode.env.asExternalUri`, which opens VS Code's port
 * forwarding for it (code-server: `/proxy/PORT/`, Codespaces: `https://NAME-PORT.app.github.dev/`,
 * Remote-SSH: a local tunnel port). The lab Sherpa started is told each forwarded address, so its Host
 * check, redirects and form actions accept exactly those (src/servers/authz/forwarded-addresses.ts).
 */
import * as vscode from 'vscode';
import { isLoopbackHost } from '../../core/net/loopback';
import { assertOpenableUrl } from '../../core/url';
import type { LabController } from '../lab/lab-controller';
import type { SherpaLog } from '../output-log';

/** `sherpa.signIn.browser`: auto (decide from the host), remote (forward), sameMachine (loopback). */
export type BrowserSetting = 'auto' | 'remote' | 'sameMachine';

export class BrowserAddresses {
  constructor(
    private readonly log: SherpaLog,
    private readonly lab: LabController,
    private readonly setting: () => BrowserSetting,
  ) {}

  /** True when the browser is on another machine than the extension host (so loopback is unreachable). */
  get isRemote(): boolean {
    const s = this.setting();
    if (s !== 'auto') return s === 'remote';
    return vscode.env.remoteName !== undefined || vscode.env.uiKind === vscode.UIKind.Web;
  }

  /** Why the browser is treated as remote, for messages. */
  describe(): string {
    if (this.setting() === 'remote') return 'sherpa.signIn.browser is "remote"';
    if (vscode.env.remoteName) return `this VS Code window is remote (${vscode.env.remoteName})`;
    return 'VS Code runs in a browser';
  }

  /**
   * The address at which the browser reaches `url` (a loopback URL of the extension host): itself when the
   * browser is on this machine, else VS Code's forwarded address — registered with the lab when the lab
   * is the one Sherpa started, so it accepts the forwarded Host (sign-in pages) or the forwarded redirect
   * URI (a loopback receiver). Non-loopback URLs are returned unchanged.
   */
  async forBrowser(url: string): Promise<string> {
    const u = new URL(url);
    if (!this.isRemote || !isLoopbackHost(u.hostname)) return url;
    const internal = `${u.origin}/`;
    const external = await this.externalBase(internal);
    if (external === internal) return url;
    this.log.info(`The browser reaches ${internal} at ${external} (${this.describe()})`);
    if (this.lab.info) {
      try {
        await this.lab.forward({ internal, external });
      } catch (err) {
        this.log.warn(`Could not register ${external} with the lab: ${(err as Error).message}`);
      }
    }
    return external + (u.pathname + u.search + u.hash).slice(1);
  }

  /** Registers the running lab's sign-in server for a remote browser (VS Code's own MCP client uses it too). */
  async registerLab(): Promise<void> {
    const info = this.lab.info;
    if (!info || !this.isRemote) return;
    await this.forBrowser(`${info.authorizationServer}/`);
  }

  /**
   * Opens a page in the person's browser, at the address `forBrowser` gives (registered with the lab
   * first).
   *  - VS Code in a browser (code-server, Codespaces): the forwarded address itself. Handing openExternal
   *    the loopback URL instead makes VS Code open `encodeURI` of the DECODED resolved URI, so
   *    `resource=http%3A%2F%2F…` reaches the browser as `resource=http://…`, and code-server's /proxy/PORT/
   *    forwarder collapses the `//` inside such query values (seen with code-server 4.139:
   *    `resource=http:/127.0.0.1…`, AADSTS500011). The web embedder resolves an address that is already
   *    forwarded to itself, and openExternal opens a string target exactly as given (its implementation
   *    accepts a string where the typings say Uri).
   *  - Desktop VS Code with a remote host (Remote-SSH, WSL, Dev Containers): the loopback URL, as VS Code's
   *    docs ask; openExternal forwards it through the same tunnel asExternalUri opened (handing it the
   *    tunnel's local port would make VS Code tunnel that port again). Not testable here.
   */
  async open(url: string): Promise<boolean> {
    // What VS Code's forwarding returned is checked like the original: https or loopback http only.
    const href = assertOpenableUrl(url).href;
    const shown = assertOpenableUrl(await this.forBrowser(href)).href;
    if (shown === href || vscode.env.uiKind !== vscode.UIKind.Web) {
      return vscode.env.openExternal(vscode.Uri.parse(href));
    }
    return vscode.env.openExternal(shown as unknown as vscode.Uri);
  }

  private async externalBase(internal: string): Promise<string> {
    const resolved = await vscode.env.asExternalUri(vscode.Uri.parse(internal));
    const external = new URL(resolved.toString(true));
    external.search = '';
    external.hash = '';
    if (!external.pathname.endsWith('/')) external.pathname += '/';
    return external.href;
  }
}
