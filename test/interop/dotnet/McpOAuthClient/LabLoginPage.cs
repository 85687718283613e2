// The "browser" of this client: completes an authorization request on the LOCAL LAB's sign-in page over HTTP, as a
// person would (follow redirects with cookies, fill in the login form with a lab user's published password), and stops
// at the redirect back to the client. Refuses every host that is not loopback — or, for the Entra-posing lab, the Entra
// authority reached through the lab proxy (HTTPS_PROXY) — so a password is never typed into a real identity provider.
using System.Net;
using System.Text.RegularExpressions;
using System.Web;

static partial class LabLoginPage
{
    public static async Task<Uri> SignInAsync(Uri authorizationUri, Uri redirectUri, string user, string password,
        CancellationToken ct)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });
        var url = authorizationUri;
        HttpContent? body = null;
        for (var step = 0; step < 20; step++)
        {
            AssertLabHost(url);
            using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, url) { Content = body };
            using var response = await http.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                var location = new Uri(url, response.Headers.Location ?? throw new InvalidOperationException($"redirect without Location from {url}"));
                if (location.AbsoluteUri.StartsWith(redirectUri.AbsoluteUri, StringComparison.Ordinal)) return location;
                url = location;
                body = null;
                continue;
            }
            var html = await response.Content.ReadAsStringAsync(ct);
            if (status != 200) throw new InvalidOperationException($"HTTP {status} from {url.GetLeftPart(UriPartial.Path)}: {Text(html)}");
            var form = FormRegex().Matches(html).FirstOrDefault(m => m.Groups["body"].Value.Contains("type=\"password\"", StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOperationException($"no sign-in form at {url.GetLeftPart(UriPartial.Path)}");
            var fields = new List<KeyValuePair<string, string>>();
            foreach (Match input in InputRegex().Matches(form.Groups["body"].Value))
            {
                var name = Attribute(input.Value, "name");
                if (name is null || name is "username" or "password") continue;
                fields.Add(new(name, Attribute(input.Value, "value") ?? ""));
            }
            fields.Add(new("username", user));
            fields.Add(new("password", password));
            url = new Uri(url, Attribute(form.Groups["open"].Value, "action") ?? url.PathAndQuery);
            body = new FormUrlEncodedContent(fields);
        }
        throw new InvalidOperationException($"gave up after 20 steps at {url}");
    }

    static void AssertLabHost(Uri url)
    {
        var loopback = url.IsLoopback || url.Host == "localhost";
        var entraThroughLabProxy = url.Scheme == "https" && url.Host == "login.microsoftonline.com"
            && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HTTPS_PROXY"));
        if (!loopback && !entraThroughLabProxy) throw new InvalidOperationException($"refusing to sign in at {url.Host}: not the lab");
    }

    static string? Attribute(string tag, string name)
    {
        var m = Regex.Match(tag, $"\\s{name}=\"([^\"]*)\"", RegexOptions.IgnoreCase);
        return m.Success ? HttpUtility.HtmlDecode(m.Groups[1].Value) : null;
    }

    static string Text(string html) => Regex.Replace(Regex.Replace(html, "<(style|script)[^>]*>[\\s\\S]*?</\\1>", " "), "<[^>]+>|\\s+", " ").Trim()[..Math.Min(300, html.Length)];

    [GeneratedRegex("(?<open><form\\b[^>]*>)(?<body>[\\s\\S]*?)</form>", RegexOptions.IgnoreCase)]
    private static partial Regex FormRegex();

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputRegex();
}
