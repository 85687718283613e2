/**
 * The one seam for the extension tests. VS Code activates the extension itself, so a test cannot
 * construct the services with fakes; instead extension.ts builds each service with a strategy (how the
 * browser opens, how a device code is shown, how step-up is confirmed, where sessions come from, the
 * Azure prompts) made here: it asks this slot first and otherwise runs the real one. The slot is
 * reachable only through `SherpaApi.setTestHooks`, which activate() exports only when VS Code runs the
 * extension for development or tests (`ExtensionMode.Test`/`Development`): an installed Sherpa exports
 * nothing another extension could use to swap its browser or read its tokens. No `vscode` import.
 */
import type { DeviceCodeLogin } from '../core/grants/device-code';
import type { OpenBrowser } from './auth/sherpa-auth-provider';
import type { AzureUi } from './azure/azure-ui';
import type { PresentDeviceCode } from './connect/device-code-grant';
import type { SherpaSessionSource } from './connect/token-broker';
import type { ConfirmStepUp } from './connect/token-request-plan';
import type { ConfirmApiTrust } from './connect/api-trust-offer';

export interface TestHooks {
  /** Instead of the system browser: a test "browser" that fills the lab's sign-in form. */
  openBrowser?: (url: URL) => Promise<void>;
  /** A shorter browser sign-in deadline than core's 5 min. */
  signInTimeoutMs?: number;
  /** Instead of the device-code notification: the test approves the code itself. */
  presentDeviceCode?: (login: DeviceCodeLogin, signal: AbortSignal) => void;
  /** Instead of the step-up modal (a test host refuses every dialog). */
  confirmStepUp?: (scopes: string[]) => Promise<boolean>;
  /** Instead of the "trust this api:// identifier for this server?" modal (connect/api-trust.ts). */
  confirmApiTrust?: ConfirmApiTrust;
  /**
   * Sessions straight from Sherpa's provider instead of `vscode.authentication.getSession`, whose
   * consent modal a test host refuses (token-broker.ts, providerSessionSource).
   */
  callProviderDirectly?: boolean;
  /**
   * With callProviderDirectly: stands where VS Code's consent modal would be, before the sign-in. The
   * test answers it when it likes (a person reading the dialog); a rejection is a refusal.
   */
  consent?: (detail: string) => Promise<void>;
  /**
   * The Azure commands' quick picks, input boxes, progress and notifications: a test host has nobody to
   * answer a prompt, so the suite answers from a script (test/vscode/suite/scripted-azure-ui.ts); every
   * command, SDK client and settings write still runs as in production.
   */
  azureUi?: AzureUi;
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

  /** The auth provider's browser: the hook if set, else `real`. */
  browser(real: OpenBrowser): OpenBrowser {
    return (url) => (this.hooks.openBrowser ?? real)(url);
  }

  signInTimeoutMs(): () => number | undefined {
    return () => this.hooks.signInTimeoutMs;
  }

  presenter(real: PresentDeviceCode): PresentDeviceCode {
    return (login, signal) => (this.hooks.presentDeviceCode ?? real)(login, signal);
  }

  stepUp(real: ConfirmStepUp): ConfirmStepUp {
    return (scopes) => (this.hooks.confirmStepUp ?? real)(scopes);
  }

  apiTrust(real: ConfirmApiTrust): ConfirmApiTrust {
    return (offer) => (this.hooks.confirmApiTrust ?? real)(offer);
  }

  /** `real` (VS Code's getSession), or `direct` (the provider itself) while callProviderDirectly is set. */
  sessions(real: SherpaSessionSource, direct: SherpaSessionSource): SherpaSessionSource {
    const pick = () => (this.hooks.callProviderDirectly ? direct : real);
    return {
      get name() {
        return pick().name;
      },
      getSilently: (scopes) => pick().getSilently(scopes),
      getOrCreate: async (scopes, o) => {
        const source = pick();
        if (source === direct) await this.hooks.consent?.(o.detail);
        return source.getOrCreate(scopes, o);
      },
    };
  }

  azureUi(real: AzureUi): AzureUi {
    const pick = () => this.hooks.azureUi ?? real;
    return {
      pick: (items, options) => pick().pick(items, options),
      input: (options) => pick().input(options),
      progress: (title, run) => pick().progress(title, run),
      cancellableProgress: (title, run) => pick().cancellableProgress(title, run),
      pickFolder: (options) => pick().pickFolder(options),
      confirm: (message, detail, action) => pick().confirm(message, detail, action),
      notify: (kind, message, ...actions) => pick().notify(kind, message, ...actions),
    };
  }
}
