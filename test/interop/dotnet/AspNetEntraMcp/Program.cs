// An MCP server protected the way Microsoft documents it for Entra ID: ASP.NET Core, ModelContextProtocol.AspNetCore
// for MCP (Streamable HTTP + RFC 9728 Protected Resource Metadata) and Microsoft.Identity.Web's
// AddMicrosoftIdentityWebApi with its default v2 token validation (issuer of the tenant, `aud` = the API's client id
// or api://{client id}, signing keys from OpenID discovery, `scp` or `roles` required). Nothing here knows it is
// talking to Sherpa's lab: it reaches https://login.microsoftonline.com through HTTPS_PROXY and trusts the lab CA
// through SSL_CERT_FILE, as a server behind a corporate TLS proxy would.
//
// Settings (standard ASP.NET configuration, so environment variables): AzureAd__Instance, AzureAd__TenantId,
// AzureAd__ClientId; Mcp__ResourceUrl (the public MCP URL, PRM `resource`); ASPNETCORE_URLS (bind address).
// SHERPA_INTEROP_VARIANT=no-audience switches the audience check off (TokenValidationParameters.ValidateAudience
// = false, which the JwtBearer documentation allows): the deliberately broken variant `sherpa audit` must catch.
using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Identity.Web;
using ModelContextProtocol.AspNetCore.Authentication;
using ModelContextProtocol.Server;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();

var azureAd = builder.Configuration.GetSection("AzureAd");
var instance = azureAd["Instance"] ?? "https://login.microsoftonline.com/";
var tenantId = azureAd["TenantId"] ?? throw new InvalidOperationException("AzureAd__TenantId is not set");
var clientId = azureAd["ClientId"] ?? throw new InvalidOperationException("AzureAd__ClientId is not set");
var resourceUrl = builder.Configuration["Mcp:ResourceUrl"] ?? throw new InvalidOperationException("Mcp__ResourceUrl is not set");
var variant = Environment.GetEnvironmentVariable("SHERPA_INTEROP_VARIANT") ?? "default";

builder.Services
    .AddAuthentication(options =>
    {
        options.DefaultScheme = JwtBearerDefaults.AuthenticationScheme;
        // A 401 carries `WWW-Authenticate: Bearer resource_metadata=…` (MCP authorization, RFC 9728 §5.1).
        options.DefaultChallengeScheme = McpAuthenticationDefaults.AuthenticationScheme;
    })
    .AddMicrosoftIdentityWebApi(azureAd)
    .Services.AddAuthentication()
    .AddMcp(options =>
    {
        options.ResourceMetadata = new()
        {
            Resource = resourceUrl,
            AuthorizationServers = { $"{instance.TrimEnd('/')}/{tenantId}/v2.0" },
            ScopesSupported = [$"api://{clientId}/access_as_user"],
        };
    });

builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
{
    if (variant == "no-audience") options.TokenValidationParameters.ValidateAudience = false;
    // One line per refusal with the exception type only (never the token), so a test can tell WHY Microsoft's
    // validator refused (audience, lifetime, signature, issuer…).
    var inner = options.Events.OnAuthenticationFailed;
    options.Events.OnAuthenticationFailed = async context =>
    {
        Console.WriteLine($"auth-failed {context.Exception.GetType().Name}");
        await inner(context);
    };
    var validated = options.Events.OnTokenValidated;
    options.Events.OnTokenValidated = async context =>
    {
        await validated(context);
        // Microsoft.Identity.Web's own post-validation checks (scp/roles present) fail with a message, no token.
        if (context.Result?.Failure is { } failure)
            Console.WriteLine($"auth-failed {failure.GetType().Name}: {failure.Message}");
    };
});

builder.Services.AddAuthorization();
builder.Services.AddHttpContextAccessor();
builder.Services
    .AddMcpServer()
    // Stateless: each request is its own HttpContext, so the tool sees the caller of that very request.
    .WithHttpTransport(options => options.Stateless = true)
    .WithTools<WhoAmITool>();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapMcp("/mcp").RequireAuthorization(policy => policy.RequireScope("access_as_user"));
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"ready {resourceUrl} variant={variant}"));
app.Run();

[McpServerToolType]
public sealed class WhoAmITool
{
    [McpServerTool(Name = "whoami"), Description("Who the caller is, as Microsoft.Identity.Web validated the token.")]
    public static string WhoAmI(IHttpContextAccessor accessor)
    {
        var user = accessor.HttpContext?.User ?? throw new InvalidOperationException("no HTTP context");
        return JsonSerializer.Serialize(new
        {
            oid = user.GetObjectId(),
            tid = user.GetTenantId(),
            name = user.FindFirst("name")?.Value,
            // Microsoft.Identity.Web's display name is preferred_username first (then name).
            displayName = user.GetDisplayName(),
            scp = user.FindFirst("scp")?.Value ?? user.FindFirst(ClaimConstants.Scope)?.Value,
            aud = user.FindFirst("aud")?.Value,
            iss = user.FindFirst("iss")?.Value ?? user.Claims.FirstOrDefault()?.Issuer,
        });
    }
}
