#!/usr/bin/env bash
# Registers the API app for the secure MCP server in Entra ID (Microsoft Graph via the Azure CLI).
# Usage: infra/register-entra-app.sh <secure-server-mcp-url>   e.g. https://ca-secure-xxxx.<region>.azurecontainerapps.io/mcp
#
# What it does differently from the workshop's script, and why:
#  - identifierUris = [api://{appId}, {secure server MCP URL}]: MCP clients send RFC 8707
#    resource={server URL} (from Protected Resource Metadata); Entra rejects a request whose resource does
#    not match the App ID URI of the requested scope (AADSTS9010010). With the server URL as an identifier
#    URI, the client requests `{server URL}/access_as_user` and resource={server URL} — consistent.
#    Entra only accepts https identifier URIs on a domain it considers verified for the tenant's policy;
#    if yours is refused, keep api://{appId} only and use a client that omits `resource` for Entra
#    (Sherpa's extension does: it uses VS Code's microsoft provider with {App ID URI}/access_as_user).
#  - requestedAccessTokenVersion = 2 so tokens carry aud = client id GUID and the v2 issuer.
#  - Public client only: no client secret is created (the workshop made a confidential client and a secret).
#  - The managed identity is a different identity with its own client id: never reuse this app's id for it.
# Not exercised in this project's CI (no Entra here): see README "Limits".
set -euo pipefail
server_url="${1:?usage: $0 <secure-server-mcp-url>}"
name="sherpa-mcp-$(date +%s)"
vscode_client=aebc6443-996d-45c2-90f0-388ff96faa56
azure_cli_client=04b07795-8ddb-461a-bbee-02f9e1bf7b46

app_id=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg \
  --is-fallback-public-client true --query appId -o tsv)
object_id=$(az ad app show --id "$app_id" --query id -o tsv)
scope_id=$(cat /proc/sys/kernel/random/uuid)
tenant_id=$(az account show --query tenantId -o tsv)

az rest --method PATCH --url "https://graph.microsoft.com/v1.0/applications/$object_id" \
  --headers 'Content-Type=application/json' --body @- <<JSON
{
  "identifierUris": ["api://$app_id", "$server_url"],
  "api": {
    "requestedAccessTokenVersion": 2,
    "oauth2PermissionScopes": [{
      "id": "$scope_id", "value": "access_as_user", "type": "User", "isEnabled": true,
      "adminConsentDisplayName": "Access the Sherpa MCP server", "adminConsentDescription": "Call the Sherpa MCP server's tools as the signed-in user.",
      "userConsentDisplayName": "Access the Sherpa MCP server", "userConsentDescription": "Call the Sherpa MCP server's tools as you."
    }]
  },
  "appRoles": [{
    "id": "$(cat /proc/sys/kernel/random/uuid)", "value": "Sherpa.Admin", "displayName": "Sherpa admin",
    "description": "May read any user's record through get_user_info.", "allowedMemberTypes": ["User"], "isEnabled": true
  }],
  "publicClient": { "redirectUris": ["http://127.0.0.1", "http://localhost"] }
}
JSON

# Pre-authorisation needs the scope to exist first, hence a second PATCH.
az rest --method PATCH --url "https://graph.microsoft.com/v1.0/applications/$object_id" \
  --headers 'Content-Type=application/json' --body @- <<JSON
{ "api": { "preAuthorizedApplications": [
  { "appId": "$vscode_client", "delegatedPermissionIds": ["$scope_id"] },
  { "appId": "$azure_cli_client", "delegatedPermissionIds": ["$scope_id"] }
] } }
JSON
az ad sp create --id "$app_id" >/dev/null

echo "SHERPA_API_CLIENT_ID=$app_id"
echo "SHERPA_ISSUER=https://login.microsoftonline.com/$tenant_id/v2.0"
echo "SHERPA_ALLOWED_TENANTS=$tenant_id"
