/**
 * Identifiers that are the same for everyone: Microsoft's first-party public client ids, which an Entra
 * tenant can pre-authorise on an API app so that no consent prompt appears.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/permissions-consent-overview
 */
export const VSCODE_CLIENT_ID = 'aebc6443-996d-45c2-90f0-388ff96faa56';
export const AZURE_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

/** The delegated scope the secure MCP server requires (exposed by the API app registration). */
export const REQUIRED_SCOPE = 'access_as_user';

/** App role that lets a caller read any user's record through `get_user_info`. */
export const ADMIN_ROLE = 'Sherpa.Admin';
