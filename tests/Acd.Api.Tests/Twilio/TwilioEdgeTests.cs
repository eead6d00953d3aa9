using System.Net;
using System.Xml.Linq;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Twilio;

/// <summary>The webhook edge: what Acd tells callers, how IVRs hand callers over, signatures, and Twilio's API contract.</summary>
public sealed class TwilioEdgeTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    [Fact]
    public async Task EveryConferenceIsInJapanAndRestGoesToTheUs1Host()
    {
        await fixture.CenterAsync("edge-japan", agents: "edge-japan-agent");
        var caller = await fixture.CallInAsync("edge-japan");
        await fixture.RungAsync("client:edge-japan-agent");

        Assert.Equal("jp1", (string?)caller.Twiml.Descendants("Conference").Single().Attribute("region"));
        var participants = Twilio.Requests.Where(r => r.Path.EndsWith("/Participants.json", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(participants);
        Assert.All(participants, r => Assert.Equal("jp1", r["Region"]));
        // The host the SDK itself addressed (before Twilio:ApiBaseUrl redirected it here): US1, never a jp1 REST host.
        Assert.All(Twilio.Requests, r => Assert.Equal("api.twilio.com", r.TargetHost));
        Assert.Equal("jp1", Twilio.ConferenceNamed(caller.ConferenceName!)!.Region);
    }

    [Fact]
    public async Task AnIvrHandsTheCallerOverWithAttributesInTheQueryOrAsJson()
    {
        (await fixture.Http.PutJsonAsync("/api/queues/edge-ivr-billing", new { target_workers = "team == 'edge-ivr' AND skills HAS 'billing'" })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/queues/edge-ivr-general", new { target_workers = "team == 'edge-ivr'" })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/workflows/edge-ivr", new
        {
            configuration = new
            {
                task_routing = new
                {
                    filters = new[] { new { filter_friendly_name = "billing", expression = "Digits == 1 AND customer.tier == 'gold'", targets = new[] { new { queue = "edge-ivr-billing", priority = 5 } } } },
                    default_filter = new { queue = "edge-ivr-general" },
                },
            },
        })).AssertOk();

        // <Gather> then <Redirect>: the digits and the IVR's findings arrive as query parameters and JSON attributes.
        var json = Uri.EscapeDataString("""{"customer":{"tier":"gold","id":"C-42"},"language":"ja"}""");
        var caller = await fixture.CallInAsync("edge-ivr", query: $"Digits=1&attributes={json}");
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c["queue_id"] is not null, "the call is routed");

        Assert.Equal(("edge-ivr-billing", 5), (call.Str("queue_id"), call["priority"]!.GetValue<int>()));
        var attributes = call["attributes"]!;
        Assert.Equal("1", attributes.Str("Digits"));
        Assert.Equal("C-42", attributes["customer"]!.Str("id"));
        Assert.Equal("ja", attributes.Str("language"));
        Assert.Equal(caller.CallSid, attributes.Str("CallSid"));
        Assert.Equal("+819012345678", attributes.Str("From"));
        Assert.Null(attributes["workflow"]);

        // The same through a form parameter (a Studio "HTTP request" widget posts it in the body).
        var second = await Twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=edge-ivr", "+819011112222", TwilioFixture.Number,
            new Dictionary<string, string> { ["Digits"] = "1", ["attributes"] = """{"customer":{"tier":"gold"}}""" });
        call = await fixture.CallEventuallyAsync(second.CallSid, c => c["queue_id"] is not null, "the second call is routed");
        Assert.Equal("edge-ivr-billing", call.Str("queue_id"));
    }

    [Fact]
    public async Task CallersAcdCannotRouteHearWhyAndAreHungUpOn()
    {
        (await fixture.Http.PutJsonAsync("/api/queues/edge-closed", new { target_workers = "1==1", closed = true, closed_message = "本日の営業は終了しました。" })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/workflows/edge-closed", new { configuration = new { task_routing = new { default_filter = new { queue = "edge-closed" } } } })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/workflows/edge-nomatch", new { configuration = new { task_routing = new { filters = new[] { new { expression = "language == 'fr'", targets = new[] { new { queue = "edge-closed" } } } } } } })).AssertOk();

        var closed = await fixture.CallInAsync("edge-closed");
        Assert.Equal(["本日の営業は終了しました。"], closed.Said);
        Assert.NotNull(closed.Twiml.Descendants("Hangup").SingleOrDefault());
        Assert.Empty(closed.Twiml.Descendants("Conference"));

        var unmatched = await fixture.CallInAsync("edge-nomatch");
        Assert.NotEmpty(unmatched.Said);
        Assert.NotNull(unmatched.Twiml.Descendants("Hangup").SingleOrDefault());
        Assert.Equal("canceled", (await fixture.CallAsync(unmatched.CallSid)).Str("status"));

        var unknown = await fixture.CallInAsync("edge-no-such-workflow");
        Assert.NotEmpty(unknown.Said);
        Assert.NotNull(unknown.Twiml.Descendants("Hangup").SingleOrDefault());
    }

    [Fact]
    public async Task ACallerOutsideTheScheduleHearsWhyInJapaneseAndIsHungUpOn()
    {
        // A schedule with no hours at all is closed whenever the test runs, with no opening to name.
        (await fixture.Http.PutJsonAsync("/api/schedules/edge-never", new { weekly = Array.Empty<object>() })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/queues/edge-hours", new { target_workers = "1==1", schedule = "edge-never" })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/workflows/edge-hours", new { configuration = new { task_routing = new { default_filter = new { queue = "edge-hours" } } } })).AssertOk();

        var caller = await fixture.CallInAsync("edge-hours");
        Assert.Equal(["お電話ありがとうございます。ただいまの時間は受付時間外です。"], caller.Said);
        Assert.NotNull(caller.Twiml.Descendants("Hangup").SingleOrDefault());
        Assert.Empty(caller.Twiml.Descendants("Conference"));
        var call = await fixture.CallAsync(caller.CallSid);
        Assert.Equal(("canceled", "queue-closed"), (call.Str("status"), call.Str("end_reason")));
    }

    [Fact]
    public async Task WaitingCallersHearTheirPlaceThenMusic()
    {
        await fixture.CenterAsync("edge-wait");
        await fixture.CallInAsync("edge-wait");
        var second = await fixture.CallInAsync("edge-wait");

        var wait = await Twilio.FetchWaitAsync(second.ConferenceName!);

        Assert.Equal("ただいま2番目にお待ちいただいております。", wait.Descendants("Say").Single().Value);
        Assert.Equal("ja-JP", (string?)wait.Descendants("Say").Single().Attribute("language"));
        Assert.NotEmpty(wait.Descendants("Play").Single().Value);
    }

    [Fact]
    public async Task SignaturesAreCheckedAsTwiliosOwnValidatorDoes()
    {
        await fixture.CenterAsync("edge-sig");
        var url = $"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=edge-sig";
        var withPort = $"http://acd.test:80/twilio/voice/incoming?workflow=edge-sig";
        var form = new List<KeyValuePair<string, string>>
        {
            new("CallSid", "CAsig000000000000000000000000001"),
            new("From", "+819000000001"),
            new("To", TwilioFixture.Number),
            new("Tags", "b"),
            new("Tags", "a"),
        };

        // Signed over the URL with an explicit port: Twilio's validator accepts both spellings, so does Acd.
        var (status, _) = await Twilio.PostAsync(url, form, Signatures.Sign(Twilio.AuthToken, withPort, form));
        Assert.Equal(200, status);
        (await fixture.Http.GetJsonAsync("/api/calls/CAsig000000000000000000000000001")).AssertOk();

        // Repeated parameters signed the way Twilio's SDK validator joins them (values comma-joined) are accepted too.
        var sdkStyle = new List<KeyValuePair<string, string>> { new("CallSid", "CAsig000000000000000000000000002"), new("From", "+819000000001"), new("To", TwilioFixture.Number), new("Tags", "b,a") };
        (status, _) = await Twilio.PostAsync(url, form.Take(3).Select(p => p.Key == "CallSid" ? new KeyValuePair<string, string>("CallSid", "CAsig000000000000000000000000002") : p).Concat([new("Tags", "b"), new("Tags", "a")]), Signatures.Sign(Twilio.AuthToken, url, sdkStyle));
        Assert.Equal(200, status);

        // A parameter changed after signing, a different query, a signature for another path: refused.
        var signed = Signatures.Sign(Twilio.AuthToken, url, form);
        var tampered = form.Select(p => p.Key == "From" ? new KeyValuePair<string, string>("From", "+819099999999") : p).ToList();
        Assert.Equal(403, (await Twilio.PostAsync(url, tampered, signed)).Status);
        Assert.Equal(403, (await Twilio.PostAsync(url + "&priority=9", form, signed)).Status);
        Assert.Equal(403, (await Twilio.PostAsync($"{TwilioFixture.PublicBaseUrl}/twilio/call/status", form, signed)).Status);
    }

    [Fact]
    public async Task AWebhookThatIsNotAFormOrIsHugeIsRefusedBeforeAnyWork()
    {
        var http = fixture.App.Anonymous();
        var json = await http.PostAsync(new Uri("/twilio/voice/incoming", UriKind.Relative),
            new StringContent("{\"CallSid\":\"CAjson\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Contains("form posts", await json.Content.ReadAsStringAsync());

        var huge = await http.PostAsync(new Uri("/twilio/voice/incoming", UriKind.Relative),
            new FormUrlEncodedContent([new("CallSid", "CAhuge"), new("From", new string('9', 5 * 1024 * 1024))]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        // Chunked, so no Content-Length to refuse it by: the form's own limit refuses it, still a 413.
        var chunked = new FormUrlEncodedContent([new("CallSid", "CAchunk"), new("From", new string('9', 400 * 1024))]);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/twilio/voice/incoming", UriKind.Relative)) { Content = new StreamContent(await chunked.ReadAsStreamAsync()) };
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        request.Headers.TransferEncodingChunked = true;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.SendAsync(request)).StatusCode);
        (await fixture.Http.GetJsonAsync("/api/calls/CAhuge")).AssertProblem(HttpStatusCode.NotFound, null!);
    }

    [Fact]
    public async Task BadWebhookInputIsAClearErrorNotACrash()
    {
        var (status, body) = await Twilio.PostAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming", [new("From", "+819000000000")]);
        Assert.Equal(400, status);
        Assert.Contains("CallSid", body);
        (status, body) = await Twilio.PostAsync($"{TwilioFixture.PublicBaseUrl}/twilio/conference/status?callId=CAx", [new("StatusCallbackEvent", "conference-end")]);
        Assert.Equal(400, status);
        Assert.Contains("ConferenceSid", body);
        (status, body) = await Twilio.PostAsync($"{TwilioFixture.PublicBaseUrl}/twilio/call/status", [new("CallSid", "CAx")]);
        Assert.Equal(400, status);
        Assert.Contains("CallStatus", body);
        // Callbacks about calls Acd does not know change nothing.
        (status, _) = await Twilio.PostAsync($"{TwilioFixture.PublicBaseUrl}/twilio/call/status?callId=CAnobody&legId=x", [new("CallSid", "CAnobody"), new("CallStatus", "completed")]);
        Assert.Equal(200, status);
        (await fixture.Http.GetJsonAsync("/api/calls/CAnobody")).AssertProblem(HttpStatusCode.NotFound, null!);
    }

    [Fact]
    public async Task EveryRequestAcdSendsIsOneTwilioWouldAccept()
    {
        Assert.SkipUnless(Twilio.SpecAvailable,
            "Twilio's OpenAPI description of the 2010-04-01 API is not here, so requests cannot be checked against it: get " +
            "spec/json/twilio_api_v2010.json from github.com/twilio/twilio-oai and point ACD_TWILIO_OPENAPI at it (CI finds it in ../shared/twilio)");
        await fixture.CenterAsync("edge-spec", agents: ["edge-spec-a", "edge-spec-b"]);
        var first = await fixture.CallInAsync("edge-spec");
        var second = await fixture.CallInAsync("edge-spec");
        var a = await fixture.RungAsync("client:edge-spec-a");
        var b = await fixture.RungAsync("client:edge-spec-b");
        // Which agent rings for which caller is the router's choice: take it from the call.
        var (firstLeg, secondLeg) = (await fixture.CallAsync(first.CallSid)).Str("offered_to") == "edge-spec-a" ? (a, b) : (b, a);
        Twilio.Answer(firstLeg.Sid);
        Twilio.EndRinging(secondLeg.Sid, "no-answer");
        await fixture.CallEventuallyAsync(first.CallSid, c => c.Str("status") == "connected", "connected");
        Twilio.HangUp(firstLeg.Sid);
        Twilio.HangUp(second.CallSid);
        await fixture.CallEventuallyAsync(first.CallSid, c => c.Str("status") == "wrap_up", "wrap-up");
        await Twilio.IdleAsync();

        Assert.Contains(Twilio.Requests, r => r.Path.EndsWith("/Participants.json", StringComparison.Ordinal));
        Assert.Contains(Twilio.Requests, r => r.Path.Contains("/Conferences/CF", StringComparison.Ordinal));
        Assert.Empty(Twilio.Violations);
    }
}
