using System.Diagnostics;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;
using Microsoft.Playwright;

namespace Acd.Api.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright (no browser download), against
/// Acd running as its own process with a fake Twilio.
/// </summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task ACallAppearsLiveAndMonitorPutsTheSupervisorOnTheCallMuted()
    {
        var chromium = Browser.Chromium();
        Assert.SkipWhen(chromium is null, Browser.Missing);
        await using var cluster = await AcdCluster.StartAsync(connectionString: null);
        var twilio = cluster.Twilio;
        var node = await cluster.StartNodeAsync();
        var http = node.Http;
        (await http.PutJsonAsync("/api/queues/front", new { target_workers = "team == 'front'" })).AssertOk();
        // A queue whose schedule has no hours at all: its tile says it is closed, and no opening follows.
        (await http.PutJsonAsync("/api/schedules/never", new { weekly = Array.Empty<object>() })).AssertOk();
        (await http.PutJsonAsync("/api/queues/after", new { target_workers = "team == 'after'", schedule = "never" })).AssertOk();
        (await http.PutJsonAsync("/api/workflows/front", new { configuration = new { task_routing = new { default_filter = new { queue = "front" } } } })).AssertOk();
        (await http.PutJsonAsync("/api/agents/aiko", new { friendly_name = "Aiko", activity = "Available", attributes = new { team = "front", contact_uri = "client:aiko" } })).AssertOk();
        (await http.PutJsonAsync("/api/agents/boss", new { friendly_name = "Boss", activity = "Offline", attributes = new { team = "supervisors", contact_uri = "client:boss" } })).AssertOk();
        twilio.OnDial("client:aiko", LegBehavior.Ring);
        twilio.OnDial("client:boss", LegBehavior.Answer);
        var token = await node.TokenAsync("supervisor", "boss");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright, chromium!);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "ja-JP" });
        await page.GotoAsync($"{node.Process.BaseAddress}dashboard/#token={token}");
        await page.Locator("#connection[data-state='live']").WaitForAsync(new() { Timeout = 10000 });
        await page.Locator(".tile[data-queue='front']").WaitForAsync();
        Assert.Equal("Acd ダッシュボード", await page.Locator("h1").TextContentAsync());
        Assert.Equal("受付時間外", await page.Locator(".tile[data-queue='after'] .hours[data-open='false']").TextContentAsync());
        Assert.Equal(0, await page.Locator(".tile[data-queue='front'] .hours").CountAsync());

        // A caller arrives through Twilio's webhook: the dashboard shows the call within a second, without reloading.
        var caller = await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=front", "+819012345678", TwilioFixture.Number);
        var arrived = Stopwatch.StartNew();
        var row = page.Locator($"tr[data-call='{caller.CallSid}']");
        await row.WaitForAsync(new() { Timeout = 1000 });
        Assert.True(arrived.Elapsed < TimeSpan.FromSeconds(1), $"the call took {arrived.Elapsed} to appear");

        // Aiko answers: the row turns to talking and offers the supervisor's buttons.
        var leg = twilio.LegTo("client:aiko") ?? await WaitForLegAsync(twilio, "client:aiko");
        twilio.Answer(leg.Sid);
        var monitor = row.Locator("button[data-action='monitor']");
        await monitor.WaitForAsync(new() { Timeout = 5000 });
        await page.Locator("#agent-board li[data-agent='aiko']").WaitForAsync();
        // The figures follow the events: one answered, nobody free, so the next caller would wait one handle time (180 s
        // until the queue has learned its own).
        var tile = page.Locator(".tile[data-queue='front']");
        await Eventually.HoldsAsync(async () => await tile.Locator(".stat-answered").TextContentAsync() == "1"
            && await tile.Locator(".stat-available").TextContentAsync() == "0" && await tile.Locator(".stat-busy").TextContentAsync() == "1"
            && await tile.Locator(".estimated-wait").TextContentAsync() == "3:00",
            "the queue's tile counts the answered call and the busy agent, and estimates the next caller's wait");

        await monitor.ClickAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(twilio.Requests.Any(r =>
            r.Method == "POST" && r.Path.EndsWith("/Participants.json", StringComparison.Ordinal) && r["To"] == "client:boss" && r["Muted"] == "true")),
            "Twilio is asked to add the supervisor's phone to the call, muted");
        // The event stream brings the supervisor's leg back: the row says who is listening, and offers Leave.
        await row.Locator("button[data-action='leave']").WaitForAsync(new() { Timeout = 5000 });
        Assert.Contains("boss", await row.TextContentAsync());

        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        var wide = Path.Combine(screenshots, "dashboard-1280.png");
        await page.ScreenshotAsync(new() { Path = wide, FullPage = true });

        // English labels, and a phone-sized screen without sideways scrolling.
        await page.ClickAsync("#language");
        Assert.Equal("Acd dashboard", await page.Locator("h1").TextContentAsync());
        await page.SetViewportSizeAsync(390, 844);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page scrolls sideways by {overflow}px on a phone");
        var phone = Path.Combine(screenshots, "dashboard-phone.png");
        await page.ScreenshotAsync(new() { Path = phone, FullPage = true });
        TestContext.Current.AddAttachment("dashboard-1280.png", await File.ReadAllBytesAsync(wide), "image/png");
        TestContext.Current.AddAttachment("dashboard-phone.png", await File.ReadAllBytesAsync(phone), "image/png");
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshots: {wide}, {phone}");
    }

    private static async Task<FakeLeg> WaitForLegAsync(FakeTwilio twilio, string to)
    {
        FakeLeg? leg = null;
        await Eventually.HoldsAsync(() => Task.FromResult((leg = twilio.LegTo(to)) is not null), $"{to} is rung");
        return leg!;
    }
}
