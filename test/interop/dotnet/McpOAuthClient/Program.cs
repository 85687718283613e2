// A console MCP client on the C# MCP SDK (ModelContextProtocol) with the SDK's own OAuth: on the server's 401 the SDK
// reads the Protected Resource Metadata (RFC 9728), the authorization server's metadata, registers (RFC 7591) unless
// given a client id, runs the authorization code grant with PKCE (RFC 7636) and redeems the code. This program gives it
// a redirect handler (the lab's sign-in page, LabLoginPage.cs) and a token cache it can inspect.
//
// Settings (environment): MCP_URL, LAB_USER, LAB_PASSWORD, REDIRECT_URI (a loopback URI), CLIENT_ID (optional: a
// pre-registered id instead of DCR), HTTPS_PROXY/NO_PROXY/SSL_CERT_FILE for the Entra-posing lab.
// Output: one JSON line per step on stdout ({"step":…}); a failure is {"step":"error","type":…,"message":…}, exit 1.
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

string Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : throw new InvalidOperationException($"{name} is not set");
void Say(object step) => Console.WriteLine(JsonSerializer.Serialize(step));

var mcpUrl = new Uri(Env("MCP_URL"));
var user = Env("LAB_USER");
var password = Env("LAB_PASSWORD");
var redirectUri = new Uri(Env("REDIRECT_URI"));
var clientId = Environment.GetEnvironmentVariable("CLIENT_ID");
var cache = new InspectableTokenCache();

HttpClientTransport Transport() => new(new HttpClientTransportOptions
{
    Endpoint = mcpUrl,
    TransportMode = HttpTransportMode.StreamableHttp,
    OAuth = new ClientOAuthOptions
    {
        RedirectUri = redirectUri,
        ClientId = string.IsNullOrEmpty(clientId) ? null : clientId,
        TokenCache = cache,
        DynamicClientRegistration = new() { ClientName = "C# MCP SDK client (Sherpa interop test)" },
        AuthorizationCallbackHandler = async (context, ct) =>
        {
            var callback = await LabLoginPage.SignInAsync(context.AuthorizationUri, context.RedirectUri, user, password, ct);
            var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
            if (query["error"] is { } error) throw new InvalidOperationException($"the lab answered {error}: {query["error_description"]}");
            return new AuthorizationResult { Code = query["code"]!, State = query["state"], Iss = query["iss"] };
        },
    },
});

static string TextOf(CallToolResult r) => string.Concat(r.Content.OfType<TextContentBlock>().Select(c => c.Text));

try
{
    await using (var client = await McpClient.CreateAsync(Transport()))
    {
        var tools = await client.ListToolsAsync();
        Say(new { step = "tools", tools = tools.Select(t => t.Name).Order().ToArray() });
        var whoami = await client.CallToolAsync("whoami", new Dictionary<string, object?>());
        Say(new { step = "whoami", isError = whoami.IsError == true, result = JsonNode.Parse(TextOf(whoami)) });
        var record = await client.CallToolAsync("get_user_info", new Dictionary<string, object?> { ["user_id"] = "user_001" });
        Say(new { step = "get_user_info", isError = record.IsError == true, text = TextOf(record) });
    }
    // A new session whose cached access token the server refuses (401 invalid_token): with a refresh token the SDK
    // must get back in by itself (RFC 6749 §6), without another sign-in.
    var hadRefreshToken = cache.Tokens?.RefreshToken is { Length: > 0 };
    cache.Tokens!.AccessToken = "refused-by-the-server";
    var signInsBefore = cache.Stores;
    await using (var again = await McpClient.CreateAsync(Transport()))
    {
        var tools = await again.ListToolsAsync();
        Say(new { step = "reconnect", hadRefreshToken, tools = tools.Count, newTokens = cache.Stores > signInsBefore });
    }
    return 0;
}
catch (Exception e)
{
    Say(new { step = "error", type = e.GetType().Name, message = e.Message });
    return 1;
}

/** The SDK's ITokenCache in memory, with the stored container reachable for the test's refusal step. */
sealed class InspectableTokenCache : ITokenCache
{
    public TokenContainer? Tokens;
    public int Stores;
    public ValueTask StoreTokensAsync(TokenContainer tokens, CancellationToken cancellationToken)
    {
        Tokens = tokens;
        Stores++;
        return ValueTask.CompletedTask;
    }
    public ValueTask<TokenContainer?> GetTokensAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Tokens);
}
