using System.Text.Json.Nodes;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;
using Microsoft.Playwright;

namespace Acd.Api.Tests.Dashboard;

/// <summary>
/// The agent page in a real browser (Debian's Chromium, headless, Playwright), against Acd running as its own process
/// and the fake Twilio. Twilio's signalling to a browser cannot be reached here, so the page's one boundary to the
/// Voice SDK (<c>window.AcdSoftphone</c>) is a stand-in: the test raises the incoming call the SDK would, and the
/// stand-in's answer makes the fake Twilio answer that leg, as Twilio would when the browser picks up.
/// </summary>
public sealed class AgentPageBrowserTests
{
    private static readonly Dictionary<string, string> VoiceKeys = new()
    {
        ["Twilio__ApiKeySid"] = "SK0123456789abcdef0123456789abcdef",
        ["Twilio__ApiKeySecret"] = "agent-page-test-secret-0123456789",
    };

    private const string StandIn = """
        window.AcdSoftphone = {
          start(options) {
            window.__softphone = { options, token: options.token, accepted: [], rejected: [] };
            setTimeout(() => options.onState("ready"), 0);
            return Promise.resolve({
              accept(sid) { window.__softphone.accepted.push(sid); window.acdTestAnswer(sid); },
              reject(sid) { window.__softphone.rejected.push(sid); },
              sendDigits(sid, digits) { window.__softphone.digits = [...(window.__softphone.digits || []), digits]; if (window.acdTestDigits) window.acdTestDigits(sid, digits); },
              updateToken(token) { window.__softphone.token = token; window.__softphone.renewed = (window.__softphone.renewed || 0) + 1; },
              stop() {},
            });
          },
        };
        """;

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright, string chromium) =>
        Browser.LaunchAsync(playwright, chromium, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream");

    /// <summary>
    /// The agent page at 1280 px with the softphone's stand-in (its answers and keys reach the fake Twilio), signed in as
    /// <paramref name="agentId"/> with Development's pick-your-agent, its event stream live.
    /// </summary>
    private static async Task<IPage> SignInAsync(IBrowser browser, FakeTwilio twilio, int port, string agentId)
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "ja-JP" });
        await page.AddInitScriptAsync(StandIn);
        await page.ExposeFunctionAsync("acdTestAnswer", (string sid) => twilio.Answer(sid));
        // The softphone's keypad reaches Twilio as DTMF: the fake hands the digits to the leg's <Gather>.
        await page.ExposeFunctionAsync("acdTestDigits", (string sid, string digits) => twilio.PressAsync(sid, digits));
        await page.GotoAsync($"http://127.0.0.1:{port}/agent/");
        await page.Locator("#dev-signin:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        await page.SelectOptionAsync("#dev-agent", agentId);
        await page.ClickAsync("#dev-signin button[type=submit]");
        await page.Locator("#connection[data-state='live']").WaitForAsync(new() { Timeout = 10000 });
        return page;
    }

    [Fact]
    public async Task AnAgentSignsInAnswersHoldsTransfersAndWrapsUpWithACodeOnThePage()
    {
        var chromium = Browser.Chromium();
        Assert.SkipWhen(chromium is null, Browser.Missing);
        await using var cluster = await AcdCluster.StartAsync(connectionString: null);
        var twilio = cluster.Twilio;
        var node = await cluster.StartNodeAsync(settings: VoiceKeys);
        var http = node.Http;
        (await http.PutJsonAsync("/api/queues/desk", new { friendly_name = "サポート", target_workers = "team == 'desk'", wrap_up_seconds = 300, wrap_up_codes = new[] { "解決", "折り返し" } })).AssertOk();
        (await http.PutJsonAsync("/api/workflows/desk", new { configuration = new { task_routing = new { default_filter = new { queue = "desk" } } } })).AssertOk();
        (await http.PutJsonAsync("/api/agents/aiko", new { friendly_name = "Aiko", activity = "Offline", attributes = new { team = "desk", contact_uri = "client:aiko" } })).AssertOk();
        (await http.PutJsonAsync("/api/agents/bob", new { friendly_name = "Bob", activity = "Available", attributes = new { team = "back-office", contact_uri = "client:bob" } })).AssertOk();
        twilio.OnDial("client:aiko", LegBehavior.Ring);
        twilio.OnDial("client:bob", LegBehavior.Answer);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, chromium!);
        // Sign in as Aiko (Development: pick an agent), and go Available. The browser reaches Acd through a proxy the
        // test can cut, as a network drop would.
        await using var proxy = new TcpProxy("127.0.0.1", node.Ports.Http);
        var page = await SignInAsync(browser, twilio, proxy.Port, "aiko");
        Assert.Equal("Aiko", await page.Locator("#me").TextContentAsync());
        await page.Locator("#phone[data-state='ready']").WaitForAsync();
        Assert.NotEmpty(await page.EvaluateAsync<string>("() => window.__softphone.token"));
        // The SDK warns that the token is about to expire: the page fetches a new one from Acd and hands it over.
        var tokenRequests = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.EndsWith("/api/agents/aiko/voice-token", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref tokenRequests);
            }
        };
        await page.EvaluateAsync("() => window.__softphone.options.onTokenWillExpire()");
        await Eventually.HoldsAsync(async () => await page.EvaluateAsync<int>("() => window.__softphone.renewed || 0") == 1 && Volatile.Read(ref tokenRequests) == 1,
            "the page asks Acd for a new voice token and gives it to the softphone");
        await page.ClickAsync("#activities button[data-activity='Available']");
        await page.Locator("#activity-now[data-activity='Available']").WaitForAsync();

        // A caller who pressed 2 in the IVR: the offer shows who, which queue, the wait so far, the choice and the countdown.
        var first = await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=desk", "+819012345678", TwilioFixture.Number, new Dictionary<string, string> { ["Digits"] = "2" });
        await page.Locator("#offer:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        Assert.Equal("+819012345678", await page.Locator("#offer-from").TextContentAsync());
        Assert.Equal("サポート", await page.Locator("#offer-queue").TextContentAsync());
        Assert.Equal("2", await page.Locator("#offer-digits").TextContentAsync());
        var leg = await twilio.RungAsync("client:aiko");
        // The ring time counts down once the leg rings.
        await Eventually.HoldsAsync(async () => System.Text.RegularExpressions.Regex.IsMatch(await page.Locator("#offer-countdown").TextContentAsync() ?? "", @"^0:[0-3]\d$"),
            "the offer counts down its ring time");
        // Twilio's signalling brings the call to the browser; the agent answers with the A key.
        await page.EvaluateAsync("sid => window.__softphone.options.onIncoming({ callSid: sid, from: '+819012345678' })", leg.Sid);
        await page.Locator("#offer-how").GetByText("このブラウザが鳴っています").WaitForAsync();
        await page.Keyboard.PressAsync("a");
        await page.Locator("#talk:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        Assert.Equal([leg.Sid], await page.EvaluateAsync<string[]>("() => window.__softphone.accepted"));
        Assert.Equal("+819012345678", await page.Locator("#talk-with").TextContentAsync());

        // Hold and resume: Twilio is asked to hold the customer's participant, and the page shows it.
        await page.ClickAsync("#hold");
        await page.Locator("#talk-hold:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        await Eventually.HoldsAsync(() => Task.FromResult(twilio.Requests.Any(r => r.Method == "POST" && r.Path.Contains("/Participants/" + first.CallSid, StringComparison.Ordinal) && r["Hold"] == "true")),
            "Twilio is asked to put the caller on hold");
        await page.Keyboard.PressAsync("h");
        await page.Locator("#talk-hold[hidden]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 10000 });
        await page.ClickAsync("#mute");
        await page.Locator("#talk-muted:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        await page.ClickAsync("#mute");
        await page.Locator("#talk-muted[hidden]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 10000 });

        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        var wide = Path.Combine(screenshots, "agent-1280.png");
        await page.ScreenshotAsync(new() { Path = wide, FullPage = true });

        // A warm transfer to Bob: he answers, they talk, Aiko completes it and wraps up her part, then is Available.
        await page.SelectOptionAsync("#transfer-to", "agent:bob");
        await page.SelectOptionAsync("#transfer-mode", "warm");
        await page.ClickAsync("#transfer-go");
        await page.Locator("#consult-buttons:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        await Eventually.HoldsAsync(async () => (await CallAsync(http, first.CallSid))["legs"]!.AsArray().Any(l => l!.Str("role") == "consult" && l!.Str("status") == "in-progress"),
            "Bob's leg is answered");
        await page.ClickAsync("#transfer-complete");
        await page.Locator("#wrapup:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        Assert.Equal("bob", (await CallAsync(http, first.CallSid)).Str("agent_id"));
        await page.ClickAsync("#wrapup-done");
        await page.Locator("#activity-now[data-activity='Available']").WaitForAsync(new() { Timeout = 10000 });

        // The network drops: the page says it lost Acd. A second caller rings meanwhile; back online, the stream resumes
        // (Last-Event-ID) and the offer is there.
        proxy.Cut();
        await page.Locator("#connection[data-state='offline']").WaitForAsync(new() { Timeout = 15000 });
        Assert.Equal("Acd との接続が切れました。再接続しています…", await page.Locator("#problem").TextContentAsync());
        var second = await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=desk", "+819087654321", TwilioFixture.Number);
        await Eventually.HoldsAsync(async () => (await CallAsync(http, second.CallSid)).Str("offered_to") == "aiko", "the second caller is offered to Aiko");
        proxy.Restore();
        await page.Locator("#connection[data-state='live']").WaitForAsync(new() { Timeout = 15000 });
        await page.Locator("#offer:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        Assert.Equal("+819087654321", await page.Locator("#offer-from").TextContentAsync());
        var leg2 = await twilio.RungAsync("client:aiko", leg.Sid);
        await page.EvaluateAsync("sid => window.__softphone.options.onIncoming({ callSid: sid, from: '+819087654321' })", leg2.Sid);
        await page.Locator("#offer-how").GetByText("このブラウザが鳴っています").WaitForAsync();
        await page.ClickAsync("#answer");
        await page.Locator("#talk:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        await page.Keyboard.PressAsync("x");
        await page.Locator("#codes:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        Assert.Matches(@"^[1-5]:\d\d$", await page.Locator("#wrapup-countdown").TextContentAsync());
        await page.Keyboard.PressAsync("2");
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#activity-now[data-activity='Available']").WaitForAsync(new() { Timeout = 10000 });
        var done = await CallAsync(http, second.CallSid);
        Assert.Equal("completed", done.Str("status"));
        Assert.Equal("折り返し", done.Str("wrap_up_code"));

        // English, and a phone-sized screen without sideways scrolling.
        await page.ClickAsync("#language");
        Assert.Equal("Acd agent", await page.Locator("h1").TextContentAsync());
        await page.SetViewportSizeAsync(390, 844);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page scrolls sideways by {overflow}px on a phone");
        var phone = Path.Combine(screenshots, "agent-phone.png");
        await page.ScreenshotAsync(new() { Path = phone, FullPage = true });
        TestContext.Current.AddAttachment("agent-1280.png", await File.ReadAllBytesAsync(wide), "image/png");
        TestContext.Current.AddAttachment("agent-phone.png", await File.ReadAllBytesAsync(phone), "image/png");
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshots: {wide}, {phone}");
    }

    [Fact]
    public async Task WithTheRealVoiceSdkThePageSaysTwilioCannotBeReachedInsteadOfBreaking()
    {
        var chromium = Browser.Chromium();
        Assert.SkipWhen(chromium is null, Browser.Missing);
        await using var cluster = await AcdCluster.StartAsync(connectionString: null);
        var node = await cluster.StartNodeAsync(settings: VoiceKeys);
        var sdk = await node.Http.GetAsync(new Uri("/agent/twilio.min.js", UriKind.Relative));
        Assert.SkipWhen(!sdk.IsSuccessStatusCode, "The build could not fetch @twilio/voice-sdk with npm: /agent/twilio.min.js is not served");
        (await node.Http.PutJsonAsync("/api/agents/emi", new { friendly_name = "Emi", activity = "Available", attributes = new { contact_uri = "client:emi" } })).AssertOk();
        var token = await node.TokenAsync("agent", "emi");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, chromium!);
        var page = await browser.NewPageAsync(new() { Locale = "ja-JP" });
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync($"{node.Process.BaseAddress}agent/#token={token}");
        // The real SDK, a real Access Token from Acd, and no way to Twilio from this machine: the page says so.
        await page.Locator("#phone[data-state='error']").WaitForAsync(new() { Timeout = 60000 });
        Assert.Contains("Twilio", await page.Locator("#problem").TextContentAsync(), StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => typeof Twilio === 'object' && typeof Twilio.Device === 'function'"), "the SDK bundle loaded");
        // The rest of the page still works: the agent is signed in, live, and can change activity.
        await page.Locator("#connection[data-state='live']").WaitForAsync(new() { Timeout = 10000 });
        await page.ClickAsync("#activities button[data-activity='Break']");
        await page.Locator("#activity-now[data-activity='Break']").WaitForAsync(new() { Timeout = 10000 });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task EveryAgentOfARingGroupSeesTheOfferAndTheOneWhoAnswersOnThePageTakesTheCall()
    {
        var chromium = Browser.Chromium();
        Assert.SkipWhen(chromium is null, Browser.Missing);
        await using var cluster = await AcdCluster.StartAsync(connectionString: null);
        var twilio = cluster.Twilio;
        var node = await cluster.StartNodeAsync(settings: VoiceKeys);
        var http = node.Http;
        (await http.PutJsonAsync("/api/queues/group", new { friendly_name = "代表", target_workers = "team == 'group'", agent_selection = "ring_all", accept_with_key = true })).AssertOk();
        (await http.PutJsonAsync("/api/workflows/group", new { configuration = new { task_routing = new { default_filter = new { queue = "group" } } } })).AssertOk();
        // Aiko has been idle longest: she is the group's first, Ken the second.
        (await http.PutJsonAsync("/api/agents/aiko", new { friendly_name = "Aiko", activity = "Available", attributes = new { team = "group", contact_uri = "client:aiko" } })).AssertOk();
        (await http.PutJsonAsync("/api/agents/ken", new { friendly_name = "Ken", activity = "Offline", attributes = new { team = "group", contact_uri = "client:ken" } })).AssertOk();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, chromium!);
        var page = await SignInAsync(browser, twilio, node.Ports.Http, "ken");
        await page.ClickAsync("#activities button[data-activity='Available']");
        await page.Locator("#activity-now[data-activity='Available']").WaitForAsync();

        // Both ring; Ken is not the call's first (offered_to is Aiko) and still sees the offer. Aiko's leg is sent at once,
        // Ken's is slow (Twilio's answer to its creation and its status callbacks are late): Acd learns his CallSid only
        // when it answers, and his page, whose read shows an offer that rings, must not wait for it.
        twilio.StallCallsTo = "client:ken";
        twilio.HoldCallbacksWhere = (_, form) => form.Any(f => f is { Key: "To", Value: "client:ken" });
        var caller = await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=group", "+819012345678", TwilioFixture.Number);
        var kens = await twilio.RungAsync("client:ken");
        await twilio.RungAsync("client:aiko");
        await page.Locator("#offer:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        Assert.Equal("代表", await page.Locator("#offer-queue").TextContentAsync());
        Assert.Equal("aiko", (await CallAsync(http, caller.CallSid)).Str("offered_to"));

        // He answers in the browser: his leg answers into Acd's TwiML, which asks for the key (the queue takes calls with
        // one); the page offers it, he presses it and is put through; Aiko stops ringing.
        await page.EvaluateAsync("sid => window.__softphone.options.onIncoming({ callSid: sid, from: '+819012345678' })", kens.Sid);
        await page.Keyboard.PressAsync("a");
        await Eventually.HoldsAsync(() => Task.FromResult(twilio.Leg(kens.Sid)!.Gathering is not null), "Ken's leg is asked for the key");
        twilio.ReleaseStalled();
        await twilio.ReleaseHeldAsync();
        await page.ClickAsync("#take:not([hidden])");
        await page.Locator("#talk:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        Assert.Equal(["1"], await page.EvaluateAsync<string[]>("() => window.__softphone.digits"));
        Assert.Equal("ken", (await CallAsync(http, caller.CallSid)).Str("agent_id"));
        await Eventually.HoldsAsync(() => Task.FromResult(twilio.LegTo("client:aiko")!.Status == "canceled"), "Aiko's leg is canceled");
        await Eventually.HoldsAsync(() => Task.FromResult(twilio.ConferenceNamed(caller.ConferenceName!)!.Joined.Count >= 2), "Ken joins the caller's conference");
        Assert.Equal([caller.CallSid, kens.Sid], twilio.ConferenceNamed(caller.ConferenceName!)!.Joined);
    }

    [Fact]
    public async Task AVoicemailShowsItsRecordingAndTheAgentWhoAnswersInTheBrowserMarksItHandled()
    {
        var chromium = Browser.Chromium();
        Assert.SkipWhen(chromium is null, Browser.Missing);
        await using var cluster = await AcdCluster.StartAsync(connectionString: null);
        var twilio = cluster.Twilio;
        var node = await cluster.StartNodeAsync(settings: VoiceKeys);
        var http = node.Http;
        (await http.PutJsonAsync("/api/queues/messages", new { friendly_name = "代表", target_workers = "team == 'messages'", wrap_up_seconds = 30, closed = true, voicemail_when = new[] { "closed" } })).AssertOk();
        (await http.PutJsonAsync("/api/workflows/messages", new { configuration = new { task_routing = new { default_filter = new { queue = "messages" } } } })).AssertOk();
        (await http.PutJsonAsync("/api/agents/ken", new { friendly_name = "Ken", activity = "Offline", attributes = new { team = "messages", contact_uri = "client:ken" } })).AssertOk();
        // The queue is closed: the caller leaves a message, which waits for the queue to open.
        var caller = await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=messages", "+819044440001", TwilioFixture.Number);
        var recording = (await twilio.SpeakAsync(caller.CallSid, 75))!;
        await Eventually.HoldsAsync(async () => (await http.GetJsonAsync($"/api/calls/{recording.Sid}")).Status == System.Net.HttpStatusCode.OK, "the voicemail is a call");
        (await http.PutJsonAsync("/api/queues/messages", new { friendly_name = "代表", target_workers = "team == 'messages'", wrap_up_seconds = 30, voicemail_when = new[] { "closed" } })).AssertOk();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, chromium!);
        var page = await SignInAsync(browser, twilio, node.Ports.Http, "ken");
        await page.ClickAsync("#activities button[data-activity='Available']");

        // Ken is rung for the voicemail: the page says so, with the caller's number and a link to the recording.
        var kens = await twilio.RungAsync("client:ken");
        await page.Locator("#offer-voicemail:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        Assert.Equal("+819044440001", await page.Locator("#offer-from").TextContentAsync());
        Assert.Equal(recording.Url, await page.Locator("#offer-recording").GetAttributeAsync("href"));
        Assert.Equal("1:15", await page.Locator("#offer-recording-length").TextContentAsync());

        // He answers in the browser, hears it, and marks it handled with the page's button (DTMF 2 to Acd's prompt).
        await page.EvaluateAsync("sid => window.__softphone.options.onIncoming({ callSid: sid, from: '+819044440001' })", kens.Sid);
        await page.Keyboard.PressAsync("a");
        await Eventually.HoldsAsync(() => Task.FromResult(twilio.Leg(kens.Sid)!.Gathering is not null), "Ken's leg plays the message and asks for a key");
        Assert.Equal([recording.Url], twilio.Leg(kens.Sid)!.Played);
        Assert.True(await page.Locator("#take").IsHiddenAsync());
        await page.ClickAsync("#handled:not([hidden])");
        Assert.Equal(["2"], await page.EvaluateAsync<string[]>("() => window.__softphone.digits"));
        await Eventually.HoldsAsync(async () => (await CallAsync(http, recording.Sid)).Str("end_reason") == "voicemail-handled", "the voicemail is handled");
        await page.Locator("#wrapup:not([hidden])").WaitForAsync(new() { Timeout = 10000 });
        Assert.DoesNotContain(twilio.Requests, r => r["To"] == "+819044440001");
    }

    private static async Task<JsonNode> CallAsync(HttpClient http, string callId) => (await http.GetJsonAsync($"/api/calls/{callId}")).AssertOk();
}
