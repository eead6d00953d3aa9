using System.Net;
using System.Text.Json.Nodes;
using Acd.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Acd.Api.Tests.SignIn;

/// <summary>
/// Sign-in through an OpenID Connect provider (a real one on the loopback: discovery, keys, authorize, token), walked as
/// a browser walks it: Acd's login sends it to the provider, the provider sends it back with a code, Acd answers with a
/// redirect to the page carrying Acd's own token in the fragment, or why not.
/// </summary>
public sealed class OidcSignInTests : IAsyncLifetime
{
    private FakeOidcProvider _provider = null!;

    public async ValueTask InitializeAsync() => _provider = await FakeOidcProvider.StartAsync();

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();

    private AcdAppFactory Acd(string? publicBaseUrl = null) => new AcdAppFactory()
        .With("Auth:Oidc:Authority", _provider.Authority)
        .With("Auth:Oidc:ClientId", FakeOidcProvider.ClientId)
        .With("Auth:Oidc:ClientSecret", FakeOidcProvider.ClientSecret)
        .With("Auth:Oidc:DisplayName", "Contoso Entra ID")
        .With("Auth:Oidc:RequireHttpsMetadata", "false")
        .With("Auth:Oidc:AgentRole", "Acd.Agent")
        .With("Auth:Oidc:SupervisorRole", "Acd.Supervisor")
        .With("Auth:Oidc:AdminRole", "Acd.Admin")
        .With("Twilio:PublicBaseUrl", publicBaseUrl);

    /// <summary>A browser: keeps cookies, follows no redirect by itself.</summary>
    private static HttpClient Browser(AcdAppFactory acd)
    {
        var browser = acd.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri("https://localhost") });
        browser.DefaultRequestHeaders.Authorization = null;
        return browser;
    }

    /// <summary>What the page does with the token it was given.</summary>
    private static HttpClient With(AcdAppFactory acd, string token)
    {
        var client = acd.CreateDefaultClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private static readonly HttpClient ToProvider = new(new HttpClientHandler { AllowAutoRedirect = false });

    /// <summary>Login → provider → callback; the callback's redirect (the page and its fragment).</summary>
    private async Task<(Uri Callback, string Landing)> SignInAsync(HttpClient browser, string returnTo)
    {
        using var login = await browser.GetAsync($"/auth/login?return_to={Uri.EscapeDataString(returnTo)}");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.StartsWith($"{_provider.Authority}/authorize?", login.Headers.Location!.ToString(), StringComparison.Ordinal);
        using var authorized = await ToProvider.GetAsync(login.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, authorized.StatusCode);
        var callback = authorized.Headers.Location!;
        return (callback, await LandAsync(browser, callback));
    }

    /// <summary>The browser brings the provider's answer to Acd (whatever host the public address names: a proxy's).</summary>
    private static async Task<string> LandAsync(HttpClient browser, Uri callback)
    {
        using var landed = await browser.GetAsync(callback.PathAndQuery);
        Assert.True(landed.StatusCode == HttpStatusCode.Redirect, $"expected a redirect, got {landed.StatusCode}: {await landed.Content.ReadAsStringAsync()}");
        return landed.Headers.Location!.OriginalString;
    }

    private static string TokenIn(string landing, string page)
    {
        Assert.StartsWith($"{page}#token=", landing, StringComparison.Ordinal);
        return landing[(page.Length + "#token=".Length)..];
    }

    private static string ErrorIn(string landing, string page)
    {
        Assert.StartsWith($"{page}#error=", landing, StringComparison.Ordinal);
        Assert.DoesNotContain("token=", landing, StringComparison.Ordinal);
        return Uri.UnescapeDataString(landing[(page.Length + "#error=".Length)..]);
    }

    [Fact]
    public async Task AnAgentSignsInAtTheProviderAndTheAgentPageGetsAcdsOwnToken()
    {
        await using var acd = Acd(publicBaseUrl: "https://acd.example.jp");
        var admin = acd.CreateClient();
        (await admin.PutJsonAsync("/api/agents/aiko@contoso.co.jp", new { friendly_name = "Aiko", activity = "Offline" })).AssertOk();
        _provider.User = new() { ["preferred_username"] = "aiko@contoso.co.jp", ["name"] = "Aiko Tanaka", ["roles"] = new[] { "Acd.Agent", "Something.Else" } };

        var config = (await acd.Anonymous().GetJsonAsync("/auth/config")).AssertOk();
        Assert.Equal("Contoso Entra ID", config["oidc"]!.Str("name"));
        Assert.Equal("/auth/login", config["oidc"]!.Str("login"));

        var browser = Browser(acd);
        var (callback, landing) = await SignInAsync(browser, "/agent/");

        // The authorization request: the code flow with PKCE, back to the public address (behind its TLS proxy).
        var asked = Assert.Single(_provider.Authorizations);
        Assert.Equal("code", asked["response_type"]);
        Assert.Equal("S256", asked["code_challenge_method"]);
        Assert.Equal("https://acd.example.jp/signin-oidc", asked["redirect_uri"]);
        Assert.Contains("openid", asked["scope"].ToString().Split(' '));
        Assert.False(string.IsNullOrEmpty(asked["nonce"]));
        Assert.Equal("https://acd.example.jp", callback.GetLeftPart(UriPartial.Authority));
        Assert.Single(_provider.Redeemed);

        // Acd's own token: the agent's id from the claim, the one role, a shift long.
        var token = TokenIn(landing, "/agent/");
        var jwt = new JsonWebToken(token);
        Assert.Equal("aiko@contoso.co.jp", jwt.Subject);
        Assert.Equal(["agent"], jwt.Claims.Where(c => c.Type == "role").Select(c => c.Value));
        Assert.InRange(jwt.ValidTo - DateTime.UtcNow, TimeSpan.FromHours(9.9), TimeSpan.FromHours(10));
        var agent = With(acd, token);
        Assert.Equal("Aiko", (await agent.GetJsonAsync("/api/agents/aiko@contoso.co.jp")).AssertOk().Str("friendly_name"));
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PutJsonAsync("/api/queues/sales", new { target_workers = "1==1" })).Status);

        // The same answer brought again (a reload, a replay): the code is spent and the sign-in's cookie gone.
        var again = await LandAsync(browser, callback);
        Assert.Contains("Sign-in failed", ErrorIn(again, "/agent/"), StringComparison.Ordinal);
        Assert.Single(_provider.Redeemed);
    }

    [Fact]
    public async Task TheHighestRoleTheClaimsGiveIsTheOneAndTheDashboardSignsInTheSameWay()
    {
        await using var acd = Acd();
        _provider.User = new() { ["preferred_username"] = "mika", ["roles"] = new[] { "Acd.Agent", "Acd.Supervisor" } };
        var (_, landing) = await SignInAsync(Browser(acd), "/dashboard/");
        var jwt = new JsonWebToken(TokenIn(landing, "/dashboard/"));
        Assert.Equal("mika", jwt.Subject);
        Assert.Equal(["supervisor"], jwt.Claims.Where(c => c.Type == "role").Select(c => c.Value));
        // Without a public address the provider is told to send the browser back where it came from.
        Assert.Equal("https://localhost/signin-oidc", _provider.Authorizations.Single()["redirect_uri"]);
        (await With(acd, TokenIn(landing, "/dashboard/")).GetJsonAsync("/api/statistics")).AssertOk();

        _provider.User = new() { ["preferred_username"] = "root", ["roles"] = new[] { "Acd.Supervisor", "Acd.Admin" } };
        var (_, adminLanding) = await SignInAsync(Browser(acd), "/dashboard/");
        Assert.Equal(["admin"], new JsonWebToken(TokenIn(adminLanding, "/dashboard/")).Claims.Where(c => c.Type == "role").Select(c => c.Value));
    }

    [Fact]
    public async Task SomeoneWithoutAnAcdRoleOrAUsableIdIsToldWhyAndGetsNoToken()
    {
        await using var acd = Acd();
        _provider.User = new() { ["preferred_username"] = "guest", ["roles"] = new[] { "Other.App" } };
        var (_, landing) = await SignInAsync(Browser(acd), "/agent/");
        var why = ErrorIn(landing, "/agent/");
        Assert.Contains("guest has no Acd role", why, StringComparison.Ordinal);
        Assert.Contains("Acd.Agent", why, StringComparison.Ordinal);

        _provider.User = new() { ["roles"] = new[] { "Acd.Agent" } };
        Assert.Contains("no 'preferred_username' claim", ErrorIn((await SignInAsync(Browser(acd), "/agent/")).Landing, "/agent/"), StringComparison.Ordinal);

        _provider.User = new() { ["preferred_username"] = "田中 愛子", ["roles"] = new[] { "Acd.Agent" } };
        Assert.Contains("is not an id Acd can use", ErrorIn((await SignInAsync(Browser(acd), "/agent/")).Landing, "/agent/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProviderThatSaysNoOrAForgedIdTokenSignsNobodyIn()
    {
        await using var acd = Acd();
        _provider.User = new() { ["preferred_username"] = "aiko", ["roles"] = new[] { "Acd.Agent" } };
        _provider.Refuse = "access_denied";
        var (_, denied) = await SignInAsync(Browser(acd), "/dashboard/");
        Assert.Contains("access_denied", ErrorIn(denied, "/dashboard/"), StringComparison.Ordinal);

        _provider.Refuse = null;
        _provider.SignWithUnpublishedKey = true;
        var (_, forged) = await SignInAsync(Browser(acd), "/agent/");
        Assert.Contains("Sign-in failed", ErrorIn(forged, "/agent/"), StringComparison.Ordinal);

        // A callback nobody started here (no correlation cookie): refused as well.
        _provider.SignWithUnpublishedKey = false;
        var (callback, _) = await SignInAsync(Browser(acd), "/agent/");
        ErrorIn(await LandAsync(Browser(acd), callback), "/agent/");
    }

    [Fact]
    public async Task LoginReturnsOnlyToAcdsPagesAndExistsOnlyWithAProvider()
    {
        await using var acd = Acd();
        var browser = Browser(acd);
        foreach (var page in new[] { "https://evil.example/agent/", "//evil.example/", "/api/queues", "/agent/../dev/token" })
        {
            (await browser.GetJsonAsync($"/auth/login?return_to={Uri.EscapeDataString(page)}")).AssertProblem(HttpStatusCode.BadRequest, "return_to");
        }
        Assert.Empty(_provider.Authorizations);

        await using var plain = new AcdAppFactory();
        var config = (await plain.Anonymous().GetJsonAsync("/auth/config")).AssertOk();
        Assert.Null(config["oidc"]);
        Assert.True(config["development_sign_in"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, (await plain.CreateClient().GetAsync("/auth/login")).StatusCode);
    }

    [Fact]
    public async Task AcdRefusesToStartWithAProviderItCannotUse()
    {
        await using var http = SiloProcess.Start(new Dictionary<string, string> { ["Auth__Oidc__Authority"] = "http://login.example.com/tenant/v2.0", ["Auth__Oidc__ClientId"] = "acd" });
        Assert.Equal(1, await http.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Auth:Oidc:Authority must be https", http.Output, StringComparison.Ordinal);
        await using var noClient = SiloProcess.Start(new Dictionary<string, string> { ["Auth__Oidc__Authority"] = "https://login.example.com/tenant/v2.0" });
        Assert.Equal(1, await noClient.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Auth:Oidc:ClientId is not set", noClient.Output, StringComparison.Ordinal);
    }
}
