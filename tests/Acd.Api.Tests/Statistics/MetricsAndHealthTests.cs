using System.Net;
using Acd.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Acd.Api.Tests.Statistics;

public sealed class MetricsAndHealthTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    [Fact]
    public async Task AConfiguredQueuesSeriesAreThereAtZeroBeforeItsFirstCall()
    {
        (await fixture.App.CreateClient().PutJsonAsync("/api/queues/prom-fresh", new { target_workers = "team == 'nobody'" })).AssertOk();
        var metrics = "";
        await Eventually.HoldsAsync(async () =>
        {
            metrics = await fixture.App.Anonymous().GetStringAsync(new Uri("/metrics", UriKind.Relative));
            return metrics.Contains("queue=\"prom-fresh\"", StringComparison.Ordinal);
        }, "the queue's series are scraped");
        Assert.Matches("acd_calls_entered_total\\{[^}]*queue=\"prom-fresh\"[^}]*\\} 0\\b", metrics);
        Assert.Matches("acd_calls_abandoned_total\\{[^}]*queue=\"prom-fresh\"[^}]*\\} 0\\b", metrics);
        Assert.Matches("acd_offers_total\\{[^}]*outcome=\"timeout\"[^}]*queue=\"prom-fresh\"[^}]*\\} 0\\b", metrics);
        Assert.Matches("acd_queue_waiting\\{[^}]*queue=\"prom-fresh\"[^}]*\\} 0\\b", metrics);
    }

    [Fact]
    public void TwilioRequestsAreNotLoggedOneLineEachButTheirFailuresAre()
    {
        // What Acd ships (appsettings.json): HttpClient's per-request lines are Information, its failures Warning and above.
        // (Serilog's levels are read from configuration once per host; test hosts in one process share Serilog's
        // sinks, so the level is read where it is set rather than through a logger.)
        var configuration = fixture.App.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
        Assert.Equal("Warning", configuration["Serilog:MinimumLevel:Override:System.Net.Http"]);
    }

    [Fact]
    public async Task PrometheusSeesCallsOffersWaitsAndHandleTimes()
    {
        await fixture.CenterAsync("prom", wrapUpSeconds: 0, agents: "prom-a");
        var caller = await fixture.CallInAsync("prom");
        var leg = await fixture.RingingAsync(caller.CallSid, "client:prom-a");
        fixture.App.Time.Advance(TimeSpan.FromSeconds(4));
        fixture.Twilio.Answer(leg.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "connected");
        fixture.App.Time.Advance(TimeSpan.FromSeconds(30));
        fixture.Twilio.HangUp(caller.CallSid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "completed", "completed");
        (await fixture.Http.PutJsonAsync("/api/agents/prom-a/activity", new { activity = "Break" })).AssertOk();
        var waiting = await fixture.CallInAsync("prom"); // nobody free: it waits
        await fixture.CallEventuallyAsync(waiting.CallSid, c => c.Str("status") == "queued", "the second call waits");
        fixture.App.Time.Advance(TimeSpan.FromSeconds(6)); // the router reports queue sizes every 5 s

        string metrics = "";
        await Eventually.HoldsAsync(async () =>
        {
            metrics = await fixture.App.Anonymous().GetStringAsync(new Uri("/metrics", UriKind.Relative));
            return System.Text.RegularExpressions.Regex.IsMatch(metrics, "acd_queue_waiting\\{[^}]*queue=\"prom\"[^}]*\\} 1\\b");
        }, "the waiting call is seen in acd_queue_waiting");

        Assert.Matches("acd_calls_entered_total\\{[^}]*queue=\"prom\"[^}]*\\} 2\\b", metrics);
        Assert.Matches("acd_offers_total\\{[^}]*outcome=\"accepted\"[^}]*queue=\"prom\"[^}]*\\} 1\\b", metrics);
        Assert.Matches("acd_call_wait_seconds_bucket\\{[^}]*outcome=\"answered\"[^}]*queue=\"prom\"[^}]*le=\"5\"[^}]*\\} 1\\b", metrics);
        Assert.Matches("acd_call_handle_seconds_sum\\{[^}]*queue=\"prom\"[^}]*\\} 30\\b", metrics);
        // The series say which service they come from.
        Assert.Matches("target_info\\{[^}]*service_name=\"acd\"", metrics);
        Assert.DoesNotContain("unknown_service", metrics);
    }

    [Fact]
    public async Task LivenessAndReadinessAnswerWithoutAToken()
    {
        var anonymous = fixture.App.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        var ready = await anonymous.GetJsonAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("Healthy", ready.Body!.Str("status"));
        Assert.Contains(ready.Body!["checks"]!.AsArray(), c => c!.Str("name") == "cluster" && c!.Str("status") == "Healthy");
    }
}
