/**
 * The one seam for the extension tests. VS Code activates the extension itself, so a test cannot
 * construct the services with fakes; instead extension.ts builds each service with a strategy (how the
 * browser opens, how a device code is shown, how step-up is confirmed, where sessions come from) that
 * asks this slot first and otherwise runs the real one. The slot is reachable only through
 * `SherpaApi.setTestHooks`, which activate() exports only when VS Code runs the extension for
 * development or tests (`ExtensionMode.Test`/`Development`): an installed Sherpa exports nothing another
 * extension could use to swap its browser or read its tokens.
 */
import type { DeviceCodeLogin } from '../core/grants/device-code';

export interface TestHooks {
  /** Instead of the system browser: a test "browser" that fills the lab's sign-in form. */
  openBrowser?: (url: URL) => Promise<void>;
  /** A shorter browser sign-in deadline than core's 5 min. */
  signInTimeoutMs?: number;
  /** Instead of the device-code notification: the test approves the code itself. */
  presentDeviceCode?: (login: DeviceCodeLogin, signal: AbortSignal) => void;
  /** Instead of the step-up modal (a test host refuses every dialog). */
  confirmStepUp?: (scopes: string[]) => Promise<boolean>;
  /**
   * Sessions straight from Sherpa's provider instead of `vscode.authentication.getSession`, whose
   * consent modal a test host refuses (token-broker.ts, providerSessionSource).
   */
  callProviderDirectly?: boolean;
}

export class TestHookSlot {
  private hooks: TestHooks = {};

  get current(): Readonly<TestHooks> {
    return this.hooks;
  }

  /**
   * Sets the given hooks (a key with the value undefined clears that hook); returns a function that
   * puts back what was there before, for a test's `finally`.
   */
  set(changes: TestHooks): () => void {
    const before = this.hooks;
    this.hooks = { ...before, ...changes };
    return () => {
      this.hooks = before;
    };
  }
}
