using Acd.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Acd.Api.Tests.Dashboard;

/// <summary>
/// Signing in on the agent page and the dashboard through an OpenID Connect provider, in a real browser (Debian's
/// Chromium): the page's button, the provider (a real one on the loopback, where the user is already signed in), back
/// on the page signed in with Acd's own token, or told why not.
/// </summary>
public sealed class OidcSignInBrowserTests
{
    [Fact]
    public async Task AgentsAndSupervisorsSignInThroughTheProviderOnTheirPagesAndAreToldWhenTheyHaveNoRole()
    {
        var chromium = Browser.Chromium();
        Assert.SkipWhen(chromium is null, Browser.Missing);
        await using var provider = await FakeOidcProvider.StartAsync();
        await using var cluster = await AcdCluster.StartAsync(connectionString: null);
        // The browser reaches this node directly: that is its public address, where the provider sends it back.
        var ports = new NodePorts(AcdAppFactory.FreePort(), AcdAppFactory.FreePort());
        var acd = $"http://127.0.0.1:{ports.Http}";
        var node = await cluster.StartNodeAsync(ports, new Dictionary<string, string>
        {
            ["Twilio__PublicBaseUrl"] = acd,
            ["Auth__Oidc__Authority"] = provider.Authority,
            ["Auth__Oidc__ClientId"] = FakeOidcProvider.ClientId,
            ["Auth__Oidc__ClientSecret"] = FakeOidcProvider.ClientSecret,
            ["Auth__Oidc__DisplayName"] = "Contoso",
            ["Auth__Oidc__RequireHttpsMetadata"] = "false",
        });
        (await node.Http.PutJsonAsync("/api/agents/aiko", new { friendly_name = "Aiko", activity = "Offline" })).AssertOk();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright, chromium!);

        // An agent: the page offers the provider; after it, the desk is there and the token is not in the address.
        provider.User = new() { ["preferred_username"] = "aiko", ["roles"] = new[] { "agent" } };
        var agentPage = await (await browser.NewContextAsync(new() { Locale = "ja-JP" })).NewPageAsync();
        await agentPage.GotoAsync($"{acd}/agent/");
        var button = agentPage.Locator("#oidc-signin:not([hidden]) a");
        Assert.Equal("Contoso でサインイン", await button.TextContentAsync(new() { Timeout = 10000 }));
        await button.ClickAsync();
        await agentPage.Locator("#connection[data-state='live']").WaitForAsync(new() { Timeout = 15000 });
        Assert.Equal("Aiko", await agentPage.Locator("#me").TextContentAsync());
        Assert.Equal($"{acd}/agent/", agentPage.Url);
        Assert.Single(provider.Redeemed);

        // Someone the provider knows but who has no Acd role: back on the dashboard's sign-in, told why.
        provider.User = new() { ["preferred_username"] = "visitor", ["roles"] = new[] { "Other.App" } };
        var refused = await (await browser.NewContextAsync(new() { Locale = "en-US" })).NewPageAsync();
        await refused.GotoAsync($"{acd}/dashboard/");
        await refused.Locator("#oidc-signin:not([hidden]) a").ClickAsync(new() { Timeout = 10000 });
        await refused.Locator("#signin-error:has-text('visitor has no Acd role')").WaitForAsync(new() { Timeout = 15000 });
        Assert.True(await refused.Locator("#board").IsHiddenAsync());
        Assert.Equal($"{acd}/dashboard/", refused.Url);

        // A supervisor: the dashboard goes live.
        provider.User = new() { ["preferred_username"] = "mika", ["roles"] = new[] { "supervisor" } };
        var dashboard = await (await browser.NewContextAsync(new() { Locale = "en-US" })).NewPageAsync();
        await dashboard.GotoAsync($"{acd}/dashboard/");
        Assert.Equal("Sign in with Contoso", await dashboard.Locator("#oidc-signin:not([hidden]) a").TextContentAsync(new() { Timeout = 10000 }));
        await dashboard.Locator("#oidc-signin a").ClickAsync();
        await dashboard.Locator("#connection[data-state='live']").WaitForAsync(new() { Timeout = 15000 });
        Assert.True(await dashboard.Locator("#board").IsVisibleAsync());
        Assert.Equal($"{acd}/dashboard/", dashboard.Url);
    }
}
