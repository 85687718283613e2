import { LAB_USERS } from '../shared/lab-defaults';

/**
 * The lab's sign-in pages: plain HTML, no scripts, no external fonts (the lab runs offline). Every value
 * that comes from a request is escaped before it lands in markup.
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#f3f2f1;margin:0;padding:40px 12px}
main{max-width:420px;margin:0 auto;background:#fff;padding:28px 32px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:1.4em;margin-top:0}label{display:block;margin-top:12px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;font-size:1em;margin-top:4px}
button{margin-top:18px;padding:8px 20px;font-size:1em;background:#0067b8;color:#fff;border:0;cursor:pointer}
.error{color:#a4262c;font-weight:600}.hint{font-size:.9em;color:#555}table{border-collapse:collapse}
td,th{padding:2px 10px 2px 0;text-align:left}code{font-size:1.1em}.detail{white-space:pre-line}`;

/** Wraps page content in the lab's layout. */
export function renderPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Sherpa lab</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
<p class="hint">Sherpa local lab: a stand-in for Microsoft Entra ID on 127.0.0.1.</p></main></body></html>`;
}

/** The lab users' credentials, shown on purpose: the lab protects nothing real. */
function renderLabUsersTable(): string {
  const rows = LAB_USERS.map(
    (u) =>
      `<tr><td><code>${escapeHtml(u.username)}</code></td><td><code>${escapeHtml(u.password)}</code></td>` +
      `<td>${escapeHtml(u.roles.join(', ') || '–')}</td></tr>`,
  ).join('');
  return `<p class="hint">Lab accounts:</p><table><tr><th>username</th><th>password</th><th>app roles</th></tr>${rows}</table>`;
}

/** The sign-in form. Field names `username` and `password` are a contract (see interactions.ts). */
export function renderLoginPage(o: {
  action: string;
  clientName: string;
  username?: string;
  error?: string;
}): string {
  const error = o.error
    ? `<p class="error" role="alert" data-code="invalid_credentials">${escapeHtml(o.error)}</p>`
    : '';
  return renderPage(
    'Sign in',
    `<p>to continue to <strong>${escapeHtml(o.clientName)}</strong></p>${error}
<form method="post" action="${escapeHtml(o.action)}">
<label>Username <input type="text" name="username" autocomplete="username" autofocus value="${escapeHtml(o.username ?? '')}"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
${renderLabUsersTable()}`,
  );
}

/** Device flow (RFC 8628 §3.3) code entry page around oidc-provider's form (which carries its xsrf field). */
export function renderDeviceCodeInputPage(form: string, o: { error?: string }): string {
  const error = o.error ? `<p class="error" role="alert">${escapeHtml(o.error)}</p>` : '';
  return renderPage(
    'Enter code',
    `<p>Enter the code shown on your device.</p>${error}${form}<button type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

/** Device flow confirmation page: the user checks the code matches before the device gets tokens. */
export function renderDeviceConfirmPage(form: string, o: { clientName: string; userCode: string }): string {
  return renderPage(
    'Confirm device sign-in',
    `<p><strong>${escapeHtml(o.clientName)}</strong> on another device wants to sign in as you.</p>
<p>It should be showing the code <code>${escapeHtml(o.userCode)}</code>.</p>${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`,
  );
}

/** Device flow success page. */
export function renderDeviceSuccessPage(clientName: string): string {
  return renderPage(
    'Signed in',
    `<p>You have signed in to <strong>${escapeHtml(clientName)}</strong> on your other device. You can close this page.</p>`,
  );
}

/** Sign-out confirmation (OIDC RP-Initiated Logout 1.0 §2) around oidc-provider's form (xsrf field). */
export function renderLogoutPage(form: string): string {
  return renderPage(
    'Sign out',
    `<p>Sign out of the lab?</p>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`,
  );
}

/** After sign-out without a post_logout_redirect_uri. */
export function renderSignedOutPage(): string {
  return renderPage('Signed out', '<p>You have signed out. You can close this page.</p>');
}

/** Error page for the browser (oidc-provider's `renderError`); the error code stays visible and stable. */
export function renderErrorPage(error: string, description: string | undefined): string {
  return renderPage(
    'Sign-in error',
    `<p class="error" data-code="${escapeHtml(error)}"><code>${escapeHtml(error)}</code></p><p class="detail">${escapeHtml(description ?? '')}</p>`,
  );
}
