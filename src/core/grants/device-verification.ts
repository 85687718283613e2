/**
 * Device-code phishing (RFC 8628 §5.4 "Remote Phishing"): the person types a code at whatever address
 * the device authorization response names. An authorization server — or a server pretending to be one —
 * that names a page on another host is exactly what a phishing flow looks like, so Sherpa says so next
 * to the code (CLI output, the extension's notification). Entra's own pages are on Microsoft hosts other
 * than the issuer's (`https://microsoft.com/devicelogin`), so those count as the issuer's.
 */
import { isEntraPublicCloudIssuer } from '../entra';
import { toTerminalLine } from '../untrusted-text';

/** Microsoft's device sign-in pages for a public-cloud Entra issuer. */
const ENTRA_VERIFICATION_HOSTS = [
  'microsoft.com',
  'www.microsoft.com',
  'login.microsoft.com',
  'login.microsoftonline.com',
];

/**
 * A warning when the verification page is not on the issuer's host (nor, for Entra, on Microsoft's
 * device pages); undefined when it is.
 */
export function verificationHostWarning(issuer: string, verificationUri: string): string | undefined {
  let page: string;
  let own: string;
  try {
    page = new URL(verificationUri).hostname.replace(/\.$/, '');
    own = new URL(issuer).hostname.replace(/\.$/, '');
  } catch {
    return undefined; // the URLs were checked before; nothing to compare
  }
  if (page === own) return undefined;
  if (isEntraPublicCloudIssuer(issuer) && ENTRA_VERIFICATION_HOSTS.includes(page)) return undefined;
  return `The code page is on ${toTerminalLine(page, 200)}, not on the authorization server's host ${toTerminalLine(own, 200)}: make sure you know that address before entering the code (device-code phishing, RFC 8628 §5.4).`;
}
